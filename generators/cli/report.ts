/** How the commands talk to people: short summaries, file lists, errors with hints. */
import { bridgeErrorsOf } from '../core/errors.js';
import type { FileChanges } from '../engine/changes.js';
import { debugging, fsFaultError } from './fs-fault.js';

const MAX_LISTED = 40;

export function listChanges(c: FileChanges, out: (line: string) => void): void {
  const rows = [
    ...c.added.map((p) => `  + ${p}`),
    ...c.changed.map((p) => `  ~ ${p}`),
    ...c.removed.map((p) => `  - ${p}`),
  ];
  rows.slice(0, MAX_LISTED).forEach(out);
  if (rows.length > MAX_LISTED) out(`  ... and ${rows.length - MAX_LISTED} more`);
}

export function countsOf(c: FileChanges): string {
  return `${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed, ${c.unchanged} unchanged`;
}

/**
 * Prints an error and returns the exit code: 1 for input problems and file-system faults, 2 for
 * usage. A file-system fault prints without a stack trace unless GITOPS_BRIDGE_DEBUG=1.
 */
export function reportError(e: unknown, err: (line: string) => void): number {
  const fault = fsFaultError(e);
  if (fault) {
    err(`error: ${fault.format()}`);
    if (debugging()) err(`(GITOPS_BRIDGE_DEBUG) ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
  const errors = bridgeErrorsOf(e);
  if (!errors) {
    err(`gitops-bridge: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
  for (const x of errors) err(`error: ${x.format()}`);
  if (errors.length > 1) err(`${errors.length} errors; nothing was written`);
  else if (errors[0]!.code !== 'usage') err('nothing was written');
  return errors.every((x) => x.code === 'usage') ? 2 : 1;
}
