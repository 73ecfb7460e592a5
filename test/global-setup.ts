/**
 * Brings the CLI's build (dist/, generators/cli/build.mjs) up to date once, before the tests
 * start CLI processes, so they do not all build it at once after a source changed.
 *
 * Gives the test run its own scratch directory (see scratch.ts), removed at the end: under
 * $GITOPS_BRIDGE_TEST_TMPDIR when set, else on /dev/shm when it is a RAM disk with room,
 * else nothing changes and tests use the system temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCRATCH_ENV } from './scratch.js';

const TMPFS_MAGIC = 0x01021994;
/** Free space wanted: a run peaks at about 70 MB (Docker's default /dev/shm, 64 MB, is too small). */
const NEEDED = 512 * 1024 ** 2;

function ramDisk(): string | undefined {
  try {
    const s = statfsSync('/dev/shm');
    return s.type === TMPFS_MAGIC && s.bavail * s.bsize >= NEEDED ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

export default function setup(): () => void {
  const build = spawnSync(process.execPath, [resolve(import.meta.dirname, '../generators/cli/build.mjs')], { encoding: 'utf8' });
  // Not fatal: each CLI process then builds, or runs the sources, itself.
  if (build.status !== 0) process.stderr.write(build.stderr);
  const base = process.env[SCRATCH_ENV] || ramDisk();
  if (!base) return () => undefined;
  let dir: string;
  try {
    dir = mkdtempSync(join(base, 'gitops-bridge-tests-'));
  } catch {
    return () => undefined; // not writable: the system temp directory it is
  }
  const previous = process.env[SCRATCH_ENV];
  process.env[SCRATCH_ENV] = dir; // workers are started after this, with this environment
  return () => {
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env[SCRATCH_ENV];
    else process.env[SCRATCH_ENV] = previous;
  };
}
