/**
 * Talking to the remote over HTTP(S) with isomorphic-git: find and fetch the remote's
 * `rendered` tip, and push a commit to it, fast-forward only. A local path or file:// remote
 * goes through local-remote.ts instead; an SSH or git:// remote is refused before any network
 * attempt (transport.ts), as isomorphic-git cannot speak those. The token comes from the
 * environment (GITOPS_BRIDGE_GIT_TOKEN, else GITHUB_TOKEN) and is never printed: every message
 * that leaves this module has it and any URL credentials scrubbed.
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { BridgeError } from '../core/errors.js';
import { guardedFs } from './guarded-fs.js';
import { compareAndSwapRef } from './lock.js';
import type { ObjectStore } from './object-store.js';
import { readRef, type GitDirs } from './refs.js';
import { withoutCredentials } from './repo.js';
import { join } from 'node:path';
import { fetchLocal, localTip, pushLocal, type LocalRemote } from './local-remote.js';
import { localRemoteDirs, transportOf, unsupportedRemote } from './transport.js';
import { randomBytes } from 'node:crypto';

export const TOKEN_VARIABLES = ['GITOPS_BRIDGE_GIT_TOKEN', 'GITHUB_TOKEN'] as const;

export interface Remote {
  dirs: GitDirs;
  store: ObjectStore;
  /** The remote's name (for refs/remotes/<name>/...). */
  name: string;
  url: string;
  /** Full ref name on the remote, e.g. refs/heads/rendered. */
  ref: string;
  env: NodeJS.ProcessEnv;
}

function credentials(env: NodeJS.ProcessEnv): { username: string; password: string } | undefined {
  const variable = TOKEN_VARIABLES.find((v) => env[v]);
  if (!variable) return undefined;
  return { username: env.GITOPS_BRIDGE_GIT_USERNAME || 'x-access-token', password: env[variable]! };
}

function authCallbacks(env: NodeJS.ProcessEnv) {
  const creds = credentials(env);
  return {
    onAuth: () => (creds ? { ...creds } : { cancel: true }),
    // A refused token is not retried: returning nothing makes isomorphic-git throw HttpError 401.
    onAuthFailure: () => undefined,
  };
}

/** Removes the token and URL credentials from text shown to people. */
export function scrub(text: string, env: NodeJS.ProcessEnv): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
  for (const v of TOKEN_VARIABLES) {
    const token = env[v];
    if (token && token.length >= 4) out = out.split(token).join('***');
  }
  return out;
}

/** Turns what isomorphic-git throws into a BridgeError that says what to do. */
function remoteError(e: unknown, remote: Remote, action: 'fetch from' | 'push to'): BridgeError {
  if (e instanceof BridgeError) return e;
  const err = e as { code?: string; message?: string; data?: { statusCode?: number; prettyDetails?: string } };
  const where = `${remote.name} (${withoutCredentials(remote.url)})`;
  if (err.code === 'HttpError' && (err.data?.statusCode === 401 || err.data?.statusCode === 403)) {
    const has = TOKEN_VARIABLES.find((v) => remote.env[v]);
    return new BridgeError({
      code: 'git-auth',
      message: `cannot ${action} ${where}: the server refused ${has ? `the token in ${has}` : 'anonymous access'} (HTTP ${err.data.statusCode})`,
      hint: has ? `check that the token in ${has} may ${action === 'push to' ? 'write to' : 'read'} the repository` : `set ${TOKEN_VARIABLES[0]} (or GITHUB_TOKEN) to a token that may write to the repository`,
    });
  }
  if (err.code === 'UserCanceledError') {
    return new BridgeError({ code: 'git-auth', message: `cannot ${action} ${where}: the server asks for credentials`, hint: `set ${TOKEN_VARIABLES[0]} (or GITHUB_TOKEN) to a token that may write to the repository` });
  }
  if (err.code === 'PushRejectedError' || (err.code === 'GitPushError' && /non-fast-forward|fetch first|stale info|failed to (update|lock)|cannot lock|already exists/i.test(err.data?.prettyDetails ?? ''))) {
    return new BridgeError({
      code: 'git-push-rejected',
      message: `push to ${where} rejected: its ${remote.ref.replace('refs/heads/', '')} ${remote.ref.startsWith('refs/heads/') ? 'branch' : 'ref'} moved on since this run fetched it (another job pushed first), so this commit is not a fast-forward; nothing was lost and the local branch is unchanged`,
      hint: 'run the same command again: it fetches the new tip and rebuilds the commit on top of it',
    });
  }
  if (err.code === 'GitPushError') {
    return new BridgeError({ code: 'git-remote', message: scrub(`push to ${where} refused: ${err.message}`, remote.env), hint: 'the server refused the update; check branch protection rules for the rendered branch' });
  }
  return new BridgeError({ code: 'git-remote', message: scrub(`cannot ${action} ${where}: ${err.message ?? String(e)}`, remote.env), hint: 'check the remote URL (git remote -v) and the network, then run the command again' });
}

/** The remote as a local repository when its URL is a path; refuses what isomorphic-git cannot reach. */
function localRemote(remote: Remote): LocalRemote | undefined {
  const t = transportOf(remote.url, remote.dirs.worktree);
  if (t.kind === 'unsupported') throw unsupportedRemote(remote.name, withoutCredentials(remote.url), t.protocol);
  if (t.kind === 'http') return undefined;
  return { name: remote.name, dirs: localRemoteDirs(remote.name, t.path), ref: remote.ref };
}

/** The remote's tip of `remote.ref`, or undefined when the remote has no such branch. */
export async function remoteTip(remote: Remote): Promise<string | undefined> {
  return (await remoteTips(remote, [remote.ref])).get(remote.ref);
}

/**
 * The remote's tips of `refs` (those it has): one listing per group of refs (the refs under
 * refs/heads/environment/ are listed together), so a run with many branches asks a few times.
 */
export async function remoteTips(remote: Remote, refs: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const local = localRemote(remote);
  if (local) {
    for (const ref of refs) {
      const oid = localTip({ ...local, ref });
      if (oid) out.set(ref, oid);
    }
    return out;
  }
  const prefixes = new Set(refs.map((r) => (/^refs\/heads\/environment\//.test(r) ? 'refs/heads/environment/' : r)));
  const wanted = new Set(refs);
  try {
    for (const prefix of prefixes) {
      for (const r of await git.listServerRefs({ http, url: remote.url, prefix, ...authCallbacks(remote.env) })) if (wanted.has(r.ref)) out.set(r.ref, r.oid);
    }
  } catch (e) {
    throw remoteError(e, remote, 'fetch from');
  }
  return out;
}

/** refs/remotes/<name>/<branch> for a branch; none for other refs (notes). */
function trackingRef(remote: Remote): string | undefined {
  return remote.ref.startsWith('refs/heads/') ? `refs/remotes/${remote.name}/${remote.ref.slice('refs/heads/'.length)}` : undefined;
}

/** Points refs/remotes/<name>/<branch> at `oid` (objects are in place by then). */
export function updateTrackingRef(remote: Remote, oid: string): void {
  const ref = trackingRef(remote);
  if (!ref) return;
  const current = readRef(remote.dirs, ref);
  if (current !== oid) compareAndSwapRef(remote.dirs, { ref, expected: current, next: oid });
}

/**
 * Fetches the remote's tip and what it needs into the object database (shallow, depth 1, when
 * `shallow`: a new commit needs the tip and its tree, not the whole history). Objects land
 * first; the shallow list and the tracking ref are written after. Returns the fetched tip.
 */
export async function fetchTip(remote: Remote, tip: string, shallow: boolean): Promise<string> {
  if (remote.store.has(tip)) {
    updateTrackingRef(remote, tip);
    return tip;
  }
  const local = localRemote(remote);
  if (local) {
    await fetchLocal(local, remote.store, tip);
    updateTrackingRef(remote, tip);
    return tip;
  }
  const guarded = guardedFs(remote.dirs.commondir);
  let fetched: string | null;
  try {
    const r = await git.fetch({
      fs: guarded.fs,
      http,
      gitdir: remote.dirs.commondir,
      url: remote.url,
      remote: remote.name,
      ref: remote.ref,
      singleBranch: true,
      tags: false,
      ...(shallow && { depth: 1 }),
      cache: remote.store.cache,
      ...authCallbacks(remote.env),
    });
    fetched = r.fetchHead;
  } catch (e) {
    throw remoteError(e, remote, 'fetch from');
  }
  remote.store.refresh();
  if (!fetched || !remote.store.has(fetched)) {
    throw new BridgeError({ code: 'git-remote', message: `fetching ${remote.ref} from ${remote.name} did not bring its tip ${fetched ?? tip}`, hint: 'run the command again; if it keeps failing, check the remote with `git fetch`' });
  }
  const shallowFile = join(remote.dirs.commondir, 'shallow');
  const held = guarded.held.get(shallowFile);
  if (held) {
    const tmp = `${shallowFile}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, held);
    fs.renameSync(tmp, shallowFile);
  }
  updateTrackingRef(remote, fetched);
  return fetched;
}

/**
 * Pushes `oid` to the remote's branch; the server takes nothing but a fast-forward. The local
 * branch is not touched here; the tracking ref follows on success.
 */
export async function pushCommit(remote: Remote, oid: string): Promise<void> {
  const local = localRemote(remote);
  if (local) {
    await pushLocal(local, remote.store, oid);
    updateTrackingRef(remote, oid);
    return;
  }
  const guarded = guardedFs(remote.dirs.commondir);
  try {
    await git.push({
      fs: guarded.fs,
      http,
      gitdir: remote.dirs.commondir,
      url: remote.url,
      remote: remote.name,
      ref: oid,
      remoteRef: remote.ref,
      cache: remote.store.cache,
      ...authCallbacks(remote.env),
    });
  } catch (e) {
    throw remoteError(e, remote, 'push to');
  }
  updateTrackingRef(remote, oid);
}
