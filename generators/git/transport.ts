/**
 * Which way a remote URL is reached, and the remotes isomorphic-git cannot reach. isomorphic-git
 * speaks git's smart HTTP(S) protocol only: an ssh:// or scp-like `git@host:path` remote, or a
 * git:// one, is refused here before any network attempt, saying what to use instead. A local
 * path or file:// URL is served by local-remote.ts (objects copied with this module's own object
 * store, the ref moved with compare-and-swap), with no network at all.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BridgeError } from '../core/errors.js';
import type { GitDirs } from './refs.js';

export type Transport = { kind: 'http' } | { kind: 'local'; path: string } | { kind: 'unsupported'; protocol: string };

/** How `url` is reached; a relative path is taken from `base` (the working tree, as git does). */
export function transportOf(url: string, base: string): Transport {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return { kind: 'http' };
  if (scheme === 'file') return { kind: 'local', path: fileURLToPath(url) };
  if (scheme !== undefined) return { kind: 'unsupported', protocol: scheme };
  // git's rule for scp-like addresses: a colon before any slash ([user@]host:path).
  if (!isAbsolute(url) && /^[^/]*:/.test(url)) return { kind: 'unsupported', protocol: 'ssh' };
  return { kind: 'local', path: resolve(base, url) };
}

/** The refusal for a remote isomorphic-git cannot talk to; `name`: the remote's name. */
export function unsupportedRemote(name: string, url: string, protocol: string): BridgeError {
  const https = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^:/]+)[:/](?:\d+\/)?(.*?)$/i.exec(url);
  const example = https ? `https://${https[1]}/${https[2]!.replace(/^\//, '')}` : 'https://<host>/<org>/<repo>.git';
  return new BridgeError({
    code: 'git-remote',
    message: `cannot push to ${name} (${url}): its ${protocol === 'ssh' ? 'SSH' : protocol + '://'} protocol is not supported; rendered-commit --push speaks HTTP(S) only (and to local paths), so nothing was sent`,
    hint:
      `either give the remote an HTTPS URL and a token in GITOPS_BRIDGE_GIT_TOKEN (e.g. \`git remote set-url ${name} ${example}\`, or add a second remote with it and pass --push <that remote>), ` +
      `or commit without --push and push that step with the git CLI: \`npm run rendered:commit && git push ${name} rendered\``,
  });
}

/** The git directories of a local remote at `path`: a bare repository, or a clone's .git. */
export function localRemoteDirs(name: string, path: string): GitDirs {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (isDir(join(path, 'objects')) && existsSync(join(path, 'HEAD'))) return { worktree: path, gitdir: path, commondir: path };
  if (isDir(join(path, '.git', 'objects'))) return { worktree: path, gitdir: join(path, '.git'), commondir: join(path, '.git') };
  throw new BridgeError({
    code: 'git-remote',
    message: `cannot push to ${name}: the local path ${path} is not a git repository`,
    hint: `check the remote's URL (git remote get-url ${name}); a local remote is a bare repository (git init --bare) or a clone`,
  });
}
