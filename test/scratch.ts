/**
 * Where tests make their throwaway directories. test/global-setup.ts points this at a
 * directory of its own on a RAM disk when the machine has one with room to spare: the tests
 * copy and delete projects of hundreds of small files all the time, and on a virtual disk that
 * costs about ten times as much. Elsewhere, and outside vitest, it is the usual temp directory.
 * Processes the tests start keep the usual temp directory (tsx keeps its transform cache there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCRATCH_ENV = 'GITOPS_BRIDGE_TEST_TMPDIR';

export function scratchRoot(): string {
  return process.env[SCRATCH_ENV] || tmpdir();
}

/** A new empty directory under scratchRoot(), named prefix + random characters. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}
