/**
 * Revisions as people type them (`HEAD`, `HEAD~2`, `main^2`, `origin/rendered`, `v1.4`, a full
 * or abbreviated SHA) resolved to a commit id. Branch, tag and remote names go through
 * isomorphic-git's resolveRef (git's refs/, refs/tags/, refs/heads/, refs/remotes/ order), HEAD
 * through refs.ts (a linked worktree has its own HEAD, which resolveRef on the common directory
 * would not see), objects through the store, so a missing or corrupt object is the store's typed
 * error (errors.ts). A name nobody can resolve is a usage error.
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import type { ObjectStore } from './object-store.js';
import { readHead, type GitDirs } from './refs.js';

export const REVISION_HINT =
  'give a branch, tag or commit: HEAD, HEAD~1, main, origin/main, rendered, a SHA; in CI, fetch the base first (actions/checkout with fetch-depth: 0)';

/** `name` plus `~N` / `^N` suffixes, as git spells revisions. */
export function splitRevision(ref: string): { name: string; steps: { op: '~' | '^'; n: number }[] } {
  const m = /^(.*?)((?:[~^][0-9]*)*)$/.exec(ref)!;
  const name = m[1] === '' || m[1] === '@' ? 'HEAD' : m[1]!;
  const steps = [...m[2]!.matchAll(/([~^])([0-9]*)/g)].map((s) => ({ op: s[1] as '~' | '^', n: s[2] === '' ? 1 : Number(s[2]) }));
  return { name, steps };
}

/** The commit `ref` names in the repository `dirs` (whose objects `store` reads). */
export async function resolveRevision(dirs: GitDirs, store: ObjectStore, ref: string): Promise<string> {
  if (ref.trim() === '' || /\s|\.\.|:|\^\{/.test(ref)) {
    throw new BridgeError({ code: 'usage', message: `invalid revision "${ref}"`, hint: REVISION_HINT });
  }
  const { name, steps } = splitRevision(ref);
  return inContext(ref, async () => {
    let oid = await peelToCommit(store, await resolveName(dirs, store, name, ref), ref);
    for (const step of steps) {
      if (step.op === '^' && step.n === 0) continue;
      const hops = step.op === '~' ? step.n : 1;
      const index = step.op === '~' ? 0 : step.n - 1;
      for (let i = 0; i < hops; i++) {
        const parent = (await store.readCommit(oid)).parents[index];
        if (!parent) {
          throw new BridgeError({ code: 'usage', message: `revision "${ref}" does not exist: ${oid.slice(0, 7)} has no ${index === 0 ? 'parent' : `parent #${index + 1}`}`, hint: REVISION_HINT });
        }
        oid = parent;
      }
    }
    return oid;
  });
}

/** Runs `f`, naming the revision in the store's missing- and corrupt-object errors. */
async function inContext<T>(ref: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof BridgeError && e.code.startsWith('git-')) throw new BridgeError({ ...e.toJSON(), message: `cannot resolve "${ref}": ${e.message}` });
    throw e;
  }
}

async function resolveName(dirs: GitDirs, store: ObjectStore, name: string, ref: string): Promise<string> {
  if (name === 'HEAD') {
    const head = readHead(dirs);
    if (head.oid) return head.oid;
    throw new BridgeError({ code: 'usage', message: 'HEAD does not point at a commit yet (no commits in this repository)', hint: 'commit rendered/ first, or pass --base <ref>' });
  }
  try {
    return await git.resolveRef({ fs, gitdir: dirs.commondir, ref: name });
  } catch {
    // not a ref: perhaps an abbreviated object id
  }
  const expanded = /^[0-9a-f]{4,40}$/i.test(name) ? await store.expand(name) : undefined;
  if (expanded) return expanded;
  throw new BridgeError({
    code: 'usage',
    message: `unknown revision "${ref}": no branch, tag or commit by that name`,
    hint: name.includes('/') ? REVISION_HINT : `a remote branch is spelled origin/${name}; ${REVISION_HINT}`,
  });
}

async function peelToCommit(store: ObjectStore, oid: string, ref: string): Promise<string> {
  for (let depth = 0; depth < 10; depth++) {
    const { type } = await store.read(oid);
    if (type === 'commit') return oid;
    if (type !== 'tag') break;
    oid = await store.readTagTarget(oid);
  }
  throw new BridgeError({ code: 'usage', message: `revision "${ref}" is not a commit`, hint: REVISION_HINT });
}
