/**
 * Finding the repository a project lives in, and what its config says about remotes. One
 * discovery for every command that reads git (rendered:commit, diff): the nearest `.git`
 * upwards, as isomorphic-git's findRoot looks for it, plus what findRoot leaves to the caller:
 * a `.git` file (linked worktree or submodule) names the gitdir, whose `commondir` holds the
 * objects and refs. Synchronous, because the callers (and tests) open a store from it directly.
 */
import * as fs from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import type { GitDirs } from './refs.js';

/** Why the caller needs a repository, for the error when there is none. */
export interface NotARepositoryMessage {
  /** Appended to "<start> is not inside a git repository". */
  consequence?: string;
  hint?: string;
}

/** The repository holding `start`: the nearest directory upwards with a .git directory or file. */
export function findRepository(start: string, missing: NotARepositoryMessage = {}): GitDirs {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dotGit);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) return { worktree: dir, gitdir: dotGit, commondir: dotGit };
    if (stat?.isFile()) {
      // A linked worktree or a submodule: ".git" is a file saying "gitdir: <path>".
      const m = /^gitdir: (.*)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (m) {
        const gitdir = resolve(dir, m[1]!.trim());
        let commondir = gitdir;
        try {
          const c = fs.readFileSync(join(gitdir, 'commondir'), 'utf8').trim();
          commondir = isAbsolute(c) ? c : resolve(gitdir, c);
        } catch {
          // not a linked worktree
        }
        return { worktree: dir, gitdir, commondir };
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw new BridgeError({
    code: 'usage',
    message: `${start} is not inside a git repository${missing.consequence ? `, ${missing.consequence}` : ''}`,
    hint: missing.hint ?? 'rendered:commit commits to the `rendered` branch of the repository holding the project: run it in a clone',
  });
}

/** The project's path inside the repository, "" at the root, with "/" separators. */
export function projectPrefix(dirs: GitDirs, projectRoot: string): string {
  const rel = relative(dirs.worktree, resolve(projectRoot));
  return rel === '' ? '' : rel.split(sep).join('/');
}

export async function remoteUrl(dirs: GitDirs, remote: string): Promise<string | undefined> {
  const url = (await git.getConfig({ fs, gitdir: dirs.commondir, path: `remote.${remote}.url` })) as unknown;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/**
 * A URL with any user name and password removed (https://x-access-token:TOKEN@host/r.git
 * becomes https://host/r.git). scp-like addresses (git@host:org/repo.git) are kept: their
 * user is a login name, not a secret.
 */
export function withoutCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/i.exec(url);
  if (!m) return url;
  return m[1]! + m[3]!;
}
