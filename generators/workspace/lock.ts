/**
 * One writer at a time: the project's lock, .cache/gitops-bridge/lock, held by every command
 * that reads or writes rendered/ (render, check, diff, rendered-commit) for its whole run.
 *
 * The lock is a file naming its holder (pid, the process's start time, the command, since when),
 * written whole beside it (lock.<pid>) and then hard-linked to `lock`: link() fails if `lock`
 * exists, as an O_EXCL create does, and the file is never seen half-written. A second run waits
 * for it (GITOPS_BRIDGE_LOCK_WAIT seconds, default 30, polling), then refuses with the holder's
 * pid and command. A lock whose holder is dead (no such pid, or the pid now names a process that
 * started at another time) is taken over: under a second lock (lock.takeover, made the same way),
 * the stale file is read again and removed only if it is still the one judged stale, so two runs
 * finding it at once cannot both take it. (A run killed inside that step, which takes
 * microseconds, leaves lock.takeover, which the next run treats the same way.)
 *
 * Runs inside one process (tests) queue on a promise instead: the pid would not tell them apart.
 * I/O edge.
 */
import { linkSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BridgeError } from '../core/errors.js';
import { alive, ensureWorkDir, startOf } from './work-dir.js';

export interface LockHolder {
  pid: number;
  /** The process's start time (work-dir.ts startOf), when known. */
  start?: string;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface LockOptions {
  /** How long to wait for another run, in ms (default: GITOPS_BRIDGE_LOCK_WAIT seconds, else 30 s). */
  waitMs?: number;
  /** How often to look again, in ms. */
  pollMs?: number;
  /** Told once when the run starts to wait. */
  onWait?: (holder: LockHolder) => void;
}

/** Releases the lock (idempotent). */
export type Release = () => void;

const queues = new Map<string, Promise<void>>();

/** The default wait: GITOPS_BRIDGE_LOCK_WAIT seconds (0: refuse at once), else 30 s. */
export function defaultWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.GITOPS_BRIDGE_LOCK_WAIT);
  return env.GITOPS_BRIDGE_LOCK_WAIT !== undefined && Number.isFinite(s) && s >= 0 ? s * 1000 : 30_000;
}

/** Takes the lock of the work directory `work` for `command`, waiting for another run as `options` say. */
export async function acquireLock(work: string, command: string, options: LockOptions = {}): Promise<Release> {
  const file = join(work, 'lock');
  // In-process: after the previous holder in this process.
  const previous = queues.get(file) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = previous.then(() => mine);
  queues.set(file, tail);
  await previous;
  try {
    await acquireFile(work, file, command, options);
  } catch (e) {
    done();
    if (queues.get(file) === tail) queues.delete(file);
    throw e;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holder = readHolder(file);
    if (holder?.pid === process.pid) rmSync(file, { force: true });
    done();
    if (queues.get(file) === tail) queues.delete(file);
  };
}

async function acquireFile(work: string, file: string, command: string, options: LockOptions): Promise<void> {
  const waitMs = options.waitMs ?? defaultWaitMs();
  const pollMs = options.pollMs ?? 50;
  const started = Date.now();
  const me: LockHolder = { pid: process.pid, start: startOf(process.pid), command, since: new Date().toISOString() };
  let told = false;
  for (;;) {
    if (createLinked(work, file, me)) return sweep(work);
    const holder = readHolder(file);
    if (holder === undefined || stale(holder)) {
      takeOver(work, file, holder, me);
      continue;
    }
    if (Date.now() - started >= waitMs) {
      throw new BridgeError({
        code: 'io',
        message: `another gitops-bridge run (pid ${holder.pid}, \`${holder.command}\`, since ${holder.since}) holds the project's lock${waitMs > 0 ? `; waited ${Math.round(waitMs / 1000)} s` : ''}`,
        file,
        hint: `wait for it to finish and run the command again (GITOPS_BRIDGE_LOCK_WAIT=<seconds> waits longer); a lock of a process that no longer runs is taken over by itself`,
      });
    }
    if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** lock.<pid> files of runs killed while taking the lock. */
function sweep(work: string): void {
  for (const name of readdirSync(work)) {
    const m = /^lock\.(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(join(work, name), { force: true });
  }
}

/** Creates `file` holding `holder`, whole, if it does not exist (link of lock.<pid>): whether it did. */
function createLinked(work: string, file: string, holder: LockHolder): boolean {
  ensureWorkDir(work);
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(holder));
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The holder a lock file names; undefined when it is gone (or not a lock this code wrote). */
function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.command === 'string' ? h : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { pid: 0, command: 'unreadable lock', since: '?' };
  }
}

/** Whether `holder` no longer runs: its pid is gone, or names a process started at another time. */
function stale(holder: LockHolder): boolean {
  if (holder.pid === 0 || !alive(holder.pid)) return true;
  if (holder.pid === process.pid) return false;
  const start = startOf(holder.pid);
  return holder.start !== undefined && start !== undefined && start !== holder.start;
}

/**
 * Removes the stale lock `judged` (undefined: none was there, nothing to do), under lock.takeover,
 * only if `file` still holds it.
 */
function takeOver(work: string, file: string, judged: LockHolder | undefined, me: LockHolder): void {
  if (judged === undefined) return;
  const guard = `${file}.takeover`;
  if (!createLinked(work, guard, me)) {
    const other = readHolder(guard);
    // A taker killed inside its step: its guard goes (the next pass tries again).
    if (other === undefined || stale(other)) rmSync(guard, { force: true });
    return;
  }
  try {
    const now = readHolder(file);
    if (now !== undefined && now.pid === judged.pid && now.start === judged.start && now.since === judged.since) {
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  } finally {
    rmSync(guard, { force: true });
  }
}
