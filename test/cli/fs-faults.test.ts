/**
 * File-system faults, end to end: a full disk, a read-only mount, a file where rendered/ should
 * be. Each ends in a user error naming the path and what to do, exit 1, no stack trace (unless
 * GITOPS_BRIDGE_DEBUG=1), rendered/ unchanged and nothing left beside it. Tests run as root here,
 * where chmod does not stop writes, so faults that need a kernel refusal are injected by a preload
 * (faults/enospc-preload.mjs) into a real CLI process; a file in the way is a real fault.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError, FS_FAULT_CODES, fsFault } from '../../generators/core/errors.js';
import { fsFaultError } from '../../generators/cli/fs-fault.js';
import { cli, cliProcess, editFile, repoRoot, snapshotDir, tempProject } from '../helpers.js';

const PRELOAD = join(import.meta.dirname, 'faults', 'enospc-preload.mjs');
let project: { root: string; cleanup: () => void };

beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.cleanup());

const path = (rel: string) => join(project.root, rel);
/** What sits beside rendered/ and in the cache directory: no journal, no temporary tree or file. */
function leftovers(): string[] {
  const beside = readdirSync(project.root).filter((n) => /^rendered\./.test(n));
  let cache: string[] = [];
  try {
    // In-progress writes live in the cache directory (workspace/work-dir.ts): journals, a first render's tree, temporary files.
    cache = readdirSync(path('.cache/gitops-bridge')).filter((n) => n.includes('.tmp') || n.startsWith('journal-') || n.startsWith('stage-'));
  } catch {
    // no cache directory
  }
  return [...beside, ...cache];
}
function changeAnInput(): void {
  editFile(path('manifests/apps/catalog-api/overlays/dev.yaml'), (t) => t.replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "77"'));
}
function expectClean(r: { code: number; stderr: string }): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('file-system faults', () => {
  it('a regular file where rendered/ should be: named, refused before any journal is made', async () => {
    changeAnInput();
    renameSync(path('rendered'), path('rendered-saved'));
    writeFileSync(path('rendered'), 'not a directory\n');
    const r = await cli(['--root', project.root, 'render', '-q']);
    expectClean(r);
    expect(r.stderr).toContain(`error: ${path('rendered')}: this is a regular file where rendered/ should be a directory`);
    expect(r.stderr).toContain('hint: move or delete that file');
    expect(readFileSync(path('rendered'), 'utf8')).toBe('not a directory\n');
    expect(leftovers()).toEqual([]);
  });

  it('a full disk while the new files are written: message, hint, rendered/ unchanged, no journal left', async () => {
    expect((await cli(['--root', project.root, 'render', '-q'])).code).toBe(0);
    const before = snapshotDir(path('rendered'));
    changeAnInput();
    const env = { NODE_OPTIONS: `--import=${PRELOAD}`, FAULT_PATH_CONTAINS: 'gitops-bridge/journal-' };
    const r = await cliProcess(['--root', project.root, 'render', '-q'], { env });
    expectClean(r);
    expect(r.stderr).toMatch(/journal-\d+\/files\/dev\/catalog-api\/\S+: no space left on the device \(open\)/);
    expect(r.stderr).toContain('hint: free space on that file system');
    expect(snapshotDir(path('rendered'))).toEqual(before);
    expect(leftovers()).toEqual([]);

    // GITOPS_BRIDGE_DEBUG=1 adds the stack trace under the same message.
    const debug = await cliProcess(['--root', project.root, 'render', '-q'], { env: { ...env, GITOPS_BRIDGE_DEBUG: '1' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('no space left on the device');
    expect(debug.stderr).toMatch(/^\s+at /m);
    expect(leftovers()).toEqual([]);
  });

  it('a full disk during a first render (files written by a writer thread): clean error, no rendered/ and no temporary tree', async () => {
    rmSync(path('rendered'), { recursive: true });
    const env = { NODE_OPTIONS: `--import=${PRELOAD}`, FAULT_PATH_CONTAINS: 'gitops-bridge/stage-', FAULT_AFTER: '20' };
    const r = await cliProcess(['--root', project.root, 'render', '-q'], { env });
    expectClean(r);
    expect(r.stderr).toMatch(/stage-\d+\/\S+\.yaml: no space left on the device \(open\)/);
    expect(readdirSync(project.root).filter((n) => n.startsWith('rendered'))).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it('a read-only file system: says so and what to do', async () => {
    expect((await cli(['--root', project.root, 'render', '-q'])).code).toBe(0);
    const before = snapshotDir(path('rendered'));
    changeAnInput();
    const env = { NODE_OPTIONS: `--import=${PRELOAD}`, FAULT_PATH_CONTAINS: 'gitops-bridge/journal-', FAULT_CODE: 'EROFS' };
    const r = await cliProcess(['--root', project.root, 'render', '-q'], { env });
    expectClean(r);
    expect(r.stderr).toMatch(/journal-\d+: the file system is read-only \(mkdir\)/);
    expect(r.stderr).toContain('hint: the project sits on a read-only mount');
    expect(snapshotDir(path('rendered'))).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('too few file descriptors (ulimit -n 32) for a first render: a clean EMFILE error, never a hang', () => {
    rmSync(path('rendered'), { recursive: true, force: true });
    rmSync(path('.cache'), { recursive: true, force: true });
    // A real limit on a real process: esbuild's worker-thread mode used to wait for ever here.
    const r = spawnSync('bash', ['-c', `ulimit -n 32 && exec "${process.execPath}" "${join(repoRoot, 'generators/cli/bin.mjs')}" --root "${project.root}" render -q`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, 'the render hung and was killed').toBeNull();
    expectClean({ code: r.status ?? -1, stderr: r.stderr });
    expect(r.stderr).toMatch(/too many open files in this process/);
    expect(r.stderr).toContain('hint: raise the open-file limit (ulimit -n');
    expect(existsSync(path('rendered'))).toBe(false);
    expect(leftovers()).toEqual([]);
    expect(existsSync(path('.cache/gitops-bridge/lock'))).toBe(false);
  });

  it('translates each errno code with the path and a hint; names the file that blocks a path', () => {
    for (const code of FS_FAULT_CODES) {
      const e = fsFault(Object.assign(new Error(code), { code, syscall: 'open', path: '/p/rendered/x.yaml' }));
      expect(e, code).toBeInstanceOf(BridgeError);
      expect(e!.code).toBe('io');
      expect(e!.file).toBe('/p/rendered/x.yaml');
      expect(e!.hint, code).toBeTruthy();
    }
    expect(fsFault(Object.assign(new Error('x'), { code: 'EMFILE', syscall: 'open', path: '/p/a' }))!.hint).toMatch(/ulimit -n/);
    expect(fsFault(Object.assign(new Error('x'), { code: 'ENOENT', path: '/p/a' }))).toBeUndefined();
    expect(fsFault(new Error('plain'))).toBeUndefined();

    // An errno error that crossed a thread keeps only its message.
    const crossed = fsFault(new Error("writing /p/rendered.tmp-1 failed: EACCES: permission denied, rename '/p/a' -> '/p/b'"))!;
    expect(crossed.file).toBe('/p/a');
    expect(crossed.format()).toContain("permission denied (rename -> /p/b)");

    // A real ENOTDIR: the message names the regular file in the way, not the path asked for.
    writeFileSync(path('blocker'), '');
    let thrown: unknown;
    try {
      readFileSync(path('blocker/inner/file.yaml'));
    } catch (e) {
      thrown = e;
    }
    const e = fsFaultError(thrown)!;
    expect(e.file).toBe(path('blocker'));
    expect(e.format()).toContain('regular file where a directory is expected');
    rmSync(path('blocker'));
  });
});
