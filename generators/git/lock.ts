/**
 * Moving a ref with compare-and-swap, the way git does it: create `<ref>.lock` exclusively
 * (O_CREAT|O_EXCL), re-read the ref under the lock, and only if it still holds the expected
 * value write the new one into the lock file and rename it over the ref. Of two writers that
 * started from the same tip, one wins and the other gets a RefConflict and changes nothing.
 * Renaming is atomic, so a killed process leaves the ref at its old value or its new one (and
 * at worst a stale .lock, which git reports in the same way).
 */
import { appendFileSync, closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gitError } from './errors.js';
import { formatSignature, ZERO_OID, type Signature } from './object-format.js';
import { readRef, type GitDirs } from './refs.js';

export interface RefUpdate {
  /** Full ref name, e.g. refs/heads/rendered. */
  ref: string;
  /** The value the ref must still hold (undefined: the ref must not exist). */
  expected: string | undefined;
  next: string;
  /** Written to the ref's reflog, as git does for branch updates. */
  log?: { who: Signature; message: string };
  /** How long to wait for another process's lock before giving up. */
  waitMs?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function lockPathOf(dirs: GitDirs, ref: string): string {
  return join(dirs.commondir, `${ref}.lock`);
}

/** Takes `<ref>.lock`, waiting up to waitMs for another holder; returns the open file descriptor. */
function acquire(lockPath: string, ref: string, waitMs: number): number {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return openSync(lockPath, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() >= deadline) {
        throw gitError(
          'git-ref-locked',
          `cannot lock ${ref}: ${lockPath} exists (another gitops-bridge or git process is updating the branch)`,
          'wait for the other process and run the command again; if no other process is running, a crashed one left the lock behind: delete the .lock file',
          lockPath,
        );
      }
      sleepSync(25);
    }
  }
}

/**
 * Moves `ref` from `expected` to `next`, or throws without changing anything when the ref
 * no longer holds `expected`.
 */
export function compareAndSwapRef(dirs: GitDirs, u: RefUpdate): void {
  const lockPath = lockPathOf(dirs, u.ref);
  const fd = acquire(lockPath, u.ref, u.waitMs ?? 1000);
  let closed = false;
  try {
    const current = readRef(dirs, u.ref);
    if (current !== u.expected) {
      throw gitError(
        'git-ref-moved',
        `${u.ref} moved while this run was working: it was ${short(u.expected)} when the run started and is now ${short(current)}; nothing was changed`,
        'another process committed to the branch at the same time; run the command again to build on the new tip',
      );
    }
    writeSync(fd, `${u.next}\n`);
    closeSync(fd);
    closed = true;
    if (u.log) appendReflog(dirs, u.ref, u.expected ?? ZERO_OID, u.next, u.log.who, u.log.message);
    renameSync(lockPath, join(dirs.commondir, u.ref));
  } catch (e) {
    if (!closed) closeSync(fd);
    try {
      unlinkSync(lockPath);
    } catch {
      // already renamed or gone
    }
    throw e;
  }
}

function short(oid: string | undefined): string {
  return oid ? oid.slice(0, 7) : '(absent)';
}

function appendReflog(dirs: GitDirs, ref: string, from: string, to: string, who: Signature, message: string): void {
  const file = join(dirs.commondir, 'logs', ref);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${from} ${to} ${formatSignature(who)}\t${message.split('\n')[0]}\n`);
}
