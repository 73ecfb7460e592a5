/**
 * The working tree side: a directory read into blobs (hashed, not yet written), and the
 * question "does this directory differ from the commit?" answered by comparing blob ids with
 * the commit's tree, without git's index.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { hashObject } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import type { GitDirs } from './refs.js';
import type { FileBlob } from './tree.js';

/**
 * Every regular file under `dir` as `relative path -> blob` (content kept, id computed).
 * Missing directory: an empty map. A symbolic link is an error: rendered/ holds plain files.
 */
export function scanDir(dir: string): Map<string, FileBlob> {
  const out = new Map<string, FileBlob>();
  const walk = (abs: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw e;
    }
    for (const e of entries) {
      const path = rel + e.name;
      if (e.isDirectory()) walk(join(abs, e.name), path + '/');
      else if (e.isFile()) {
        const content = fs.readFileSync(join(abs, e.name));
        out.set(path, { oid: hashObject('blob', content), mode: '100644', content });
      } else if (e.isSymbolicLink()) {
        throw new BridgeError({ code: 'io', message: `${join(dir, path)} is a symbolic link`, file: join(dir, path), hint: 'rendered/ holds only regular files: run `npm run render` to rewrite it' });
      }
    }
  };
  walk(dir, '');
  return out;
}

export interface WorktreeChange {
  /** Path relative to the project root. */
  path: string;
  kind: 'modified' | 'untracked' | 'deleted';
}

/**
 * How the directories `dirs` (relative to the project) differ between the working tree and the
 * commit tree `tree`. Untracked files that .gitignore ignores do not count; file modes are not
 * compared. `scanned` supplies directories already read (rendered/), so they are read once.
 */
export async function uncommittedChanges(
  store: ObjectStore,
  repo: GitDirs,
  tree: string,
  prefix: string,
  dirs: readonly string[],
  projectRoot: string,
  scanned: ReadonlyMap<string, Map<string, FileBlob>> = new Map(),
): Promise<WorktreeChange[]> {
  const changes: WorktreeChange[] = [];
  for (const dir of dirs) {
    const inRepo = prefix ? `${prefix}/${dir}` : dir;
    const committedTree = await store.oidAt(tree, inRepo);
    const committed = committedTree ? await store.flattenTree(committedTree) : new Map<string, string>();
    const working = scanned.get(dir) ?? scanDir(join(projectRoot, dir));
    for (const [path, blob] of working) {
      const before = committed.get(path);
      if (before === blob.oid) continue;
      if (before === undefined) {
        const ignored = await git.isIgnored({ fs, dir: repo.worktree, gitdir: repo.gitdir, filepath: `${inRepo}/${path}` });
        if (ignored) continue;
      }
      changes.push({ path: `${dir}/${path}`, kind: before === undefined ? 'untracked' : 'modified' });
    }
    for (const path of committed.keys()) if (!working.has(path)) changes.push({ path: `${dir}/${path}`, kind: 'deleted' });
  }
  return changes.sort((a, b) => compareStrings(a.path, b.path));
}

