/** The project's lock (workspace/lock.ts): one run at a time, a clear refusal, stale locks taken over. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, defaultWaitMs } from '../generators/workspace/lock.js';
import { startOf } from '../generators/workspace/work-dir.js';
import { scratchDir } from './scratch.js';

let work: string;
beforeEach(() => {
  work = join(scratchDir('gitops-bridge-lock-'), '.cache/gitops-bridge');
});
afterEach(() => rmSync(join(work, '../..'), { recursive: true, force: true }));

const holder = (pid: number, extra: object = {}) => JSON.stringify({ pid, command: 'render', since: '2026-01-01T00:00:00.000Z', ...extra });

describe('acquireLock', () => {
  it('writes a lock naming this process, inside a git-ignored directory, and removes it on release', async () => {
    const release = await acquireLock(work, 'render');
    const lock = JSON.parse(readFileSync(join(work, 'lock'), 'utf8')) as { pid: number; command: string; start?: string };
    expect(lock).toMatchObject({ pid: process.pid, command: 'render', start: startOf(process.pid) });
    expect(readFileSync(join(work, '.gitignore'), 'utf8')).toContain('*');
    release();
    expect(readdirSync(work)).toEqual(['.gitignore']);
  });

  it('refuses after the wait, naming the holder\'s pid and command, when a live process holds it', async () => {
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'lock'), holder(process.ppid, { start: startOf(process.ppid) }));
    const t = Date.now();
    await expect(acquireLock(work, 'check', { waitMs: 200, pollMs: 20 })).rejects.toThrow(`another gitops-bridge run (pid ${process.ppid}, \`render\``);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    expect(JSON.parse(readFileSync(join(work, 'lock'), 'utf8')).pid).toBe(process.ppid);
  });

  it('takes over a lock of a dead process, and one whose pid now names a process started at another time', async () => {
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'lock'), holder(999_999_999));
    writeFileSync(join(work, 'lock.999999998'), holder(999_999_998));
    let release = await acquireLock(work, 'render', { waitMs: 0 });
    expect(JSON.parse(readFileSync(join(work, 'lock'), 'utf8')).pid).toBe(process.pid);
    release();
    expect(readdirSync(work)).toEqual(['.gitignore']);
    if (startOf(process.ppid) !== undefined) {
      writeFileSync(join(work, 'lock'), holder(process.ppid, { start: '1' }));
      release = await acquireLock(work, 'render', { waitMs: 0 });
      release();
    }
    expect(existsSync(join(work, 'lock'))).toBe(false);
  });

  it('waits for the holder to finish; runs in one process queue', async () => {
    const order: string[] = [];
    const first = await acquireLock(work, 'render');
    const second = acquireLock(work, 'check').then((r) => (order.push('second'), r));
    await new Promise((r) => setTimeout(r, 50));
    order.push('first done');
    first();
    (await second)();
    expect(order).toEqual(['first done', 'second']);
  });

  it('reads the wait from GITOPS_BRIDGE_LOCK_WAIT', () => {
    expect(defaultWaitMs({})).toBe(30_000);
    expect(defaultWaitMs({ GITOPS_BRIDGE_LOCK_WAIT: '0' })).toBe(0);
    expect(defaultWaitMs({ GITOPS_BRIDGE_LOCK_WAIT: '2.5' })).toBe(2500);
    expect(defaultWaitMs({ GITOPS_BRIDGE_LOCK_WAIT: 'x' })).toBe(30_000);
  });
});
