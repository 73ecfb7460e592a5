/**
 * A remote that is a local path (or file:// URL): no protocol at all. Fetching copies the
 * objects the remote's tip needs into this repository's object database; pushing copies what
 * the new commit needs into the remote's, then moves its branch with compare-and-swap, taking a
 * fast-forward only (as a server does). Objects land before the ref moves, so a killed push
 * leaves at most unreferenced objects, which `git gc` prunes.
 */
import { BridgeError } from '../core/errors.js';
import { decodeCommit, decodeTree } from './object-format.js';
import { compareAndSwapRef } from './lock.js';
import { ObjectStore } from './object-store.js';
import { readHead, readRef, type GitDirs } from './refs.js';

/**
 * Copies `oid` and everything it reaches that `to` lacks. An object `to` already has is taken to
 * come with its history (git's connectivity rule), so the walk stops there.
 */
export async function copyReachable(from: ObjectStore, to: ObjectStore, oid: string): Promise<number> {
  const todo = [oid];
  const seen = new Set<string>();
  let copied = 0;
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id) || to.has(id)) continue;
    seen.add(id);
    const { type, content } = await from.read(id);
    if (type === 'commit') {
      const c = decodeCommit(content);
      todo.push(c.tree, ...c.parents);
    } else if (type === 'tree') {
      for (const e of decodeTree(content)) if (e.mode !== '160000') todo.push(e.oid);
    } else if (type === 'tag') {
      todo.push(await from.readTagTarget(id));
    }
    to.write(type, content, id);
    copied++;
  }
  return copied;
}

export interface LocalRemote {
  name: string;
  dirs: GitDirs;
  ref: string;
}

/** The remote's tip of its branch, or undefined. */
export function localTip(remote: LocalRemote): string | undefined {
  return readRef(remote.dirs, remote.ref);
}

/** Brings the remote's `tip` (and what it reaches) into `store`. */
export async function fetchLocal(remote: LocalRemote, store: ObjectStore, tip: string): Promise<void> {
  await copyReachable(new ObjectStore(remote.dirs.commondir), store, tip);
  store.refresh();
}

/**
 * Pushes `oid` (present in `store`) to the remote's branch, fast-forward only: refused when the
 * branch moved to a commit `oid` does not descend from, or when a clone has it checked out.
 */
export async function pushLocal(remote: LocalRemote, store: ObjectStore, oid: string): Promise<void> {
  const branch = remote.ref.replace(/^refs\/heads\//, '');
  if (remote.dirs.worktree !== remote.dirs.gitdir && readHead(remote.dirs).branch === remote.ref) {
    throw new BridgeError({
      code: 'git-remote',
      message: `push to ${remote.name} refused: ${remote.dirs.worktree} is a clone with ${branch} checked out, and moving it would leave its working tree out of step`,
      hint: `push to a bare repository (git clone --bare), or check out another branch in ${remote.dirs.worktree}`,
    });
  }
  const current = localTip(remote);
  const rejected = () =>
    new BridgeError({
      code: 'git-push-rejected',
      message: `push to ${remote.name} rejected: its ${branch} branch moved on since this run fetched it (another job pushed first), so this commit is not a fast-forward; nothing was lost and the local branch is unchanged`,
      hint: 'run the same command again: it fetches the new tip and rebuilds the commit on top of it',
    });
  if (current !== undefined && current !== oid && !(await store.isAncestor(current, oid))) throw rejected();
  await copyReachable(store, new ObjectStore(remote.dirs.commondir), oid);
  try {
    compareAndSwapRef(remote.dirs, { ref: remote.ref, expected: current, next: oid });
  } catch (e) {
    if (e instanceof BridgeError && e.code === 'git-ref-moved') throw rejected();
    throw e;
  }
}
