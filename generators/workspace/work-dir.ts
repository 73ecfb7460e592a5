/**
 * Where a run keeps what is not yet part of rendered/: the project's cache directory
 * (.cache/gitops-bridge/), which carries its own `.gitignore` ('*'), so a journal, a first
 * render's staged tree, a cache file's temporary copy and the lock are never in git's view,
 * whatever the project's own .gitignore says. It sits inside the project, so a rename from it
 * into rendered/ stays on one file system (checked: a rename across file systems would copy).
 * Also: which process a leftover belongs to (its name ends in -<pid>), and whether it still runs.
 * I/O edge.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BridgeError } from '../core/errors.js';

export const CACHE_DIR = '.cache/gitops-bridge';
export const GITIGNORE = '# gitops-bridge render cache, journals and lock (safe to delete when no run is going)\n*\n';

/** The work directory of the project whose rendered/ is `rendered`. */
export function workDirOf(rendered: string): string {
  return join(dirname(rendered), CACHE_DIR);
}

/** Makes the work directory with its .gitignore (before anything else is put in it). */
export function ensureWorkDir(work: string): void {
  mkdirSync(work, { recursive: true });
  if (!existsSync(join(work, '.gitignore'))) writeFileSync(join(work, '.gitignore'), GITIGNORE);
}

/** Refuses a work directory on another file system than rendered/'s parent (renames would not be atomic). */
export function sameFileSystem(work: string, rendered: string): void {
  if (statSync(work).dev !== statSync(dirname(rendered)).dev) {
    throw new BridgeError({
      code: 'io',
      message: `${work} is on another file system than ${rendered}: rendered/ could not be changed atomically`,
      file: work,
      hint: `keep ${CACHE_DIR} inside the project on the same file system (not a link or mount elsewhere)`,
    });
  }
}

/** The pid a leftover's name ends with (-<pid>, optionally followed by nothing else), or NaN. */
export function pidOf(name: string): number {
  const m = /-(\d+)$/.exec(name);
  return m ? Number(m[1]) : NaN;
}

/** Whether process `pid` runs (a process of another user counts as running). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When process `pid` started, in clock ticks since boot (/proc/<pid>/stat, field 22): with the
 * pid, it names one process, so a lock left by a dead process whose pid was reused is still seen
 * as stale. undefined where /proc is not there (then the pid alone is compared).
 */
export function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
