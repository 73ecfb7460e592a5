/**
 * File-system faults at the CLI's edge: a Node errno error (a full disk, a read-only mount, a
 * file where rendered/ or one of its directories should be, too many open files...) becomes a
 * user error naming the path and what to do (core/errors.ts fsFault), instead of an internal
 * error with a stack trace. Only this edge looks at the disk, to name the file that blocks a path.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { BridgeError, fsFault } from '../core/errors.js';

/** The nearest ancestor of `path` (or `path` itself) that exists and is not a directory. */
export function blockingFile(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      // not there (or not reachable): look further up
    }
    if (dirname(p) === p) return undefined;
  }
}

/** `e` as a user error when it is a file-system fault, else undefined. */
export function fsFaultError(e: unknown): BridgeError | undefined {
  return fsFault(e, blockingFile);
}

/** GITOPS_BRIDGE_DEBUG=1: print stack traces under user errors too. */
export function debugging(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITOPS_BRIDGE_DEBUG === '1' || env.GITOPS_BRIDGE_DEBUG === 'true';
}

/**
 * Before a command writes into `dir`: refuses a regular file standing where the directory should
 * be, before any journal or temporary tree is made beside it (so nothing is left behind).
 */
export function expectDirectory(dir: string, label: string): void {
  const blocker = blockingFile(dir);
  if (blocker === undefined) return;
  throw new BridgeError({
    code: 'io',
    file: blocker,
    message: `this is a regular file where ${blocker === dir ? label : `a directory on the way to ${label}`} should be a directory`,
    hint: 'move or delete that file so the directory can be there, then run the command again',
  });
}
