/**
 * Two CLI runs at once on one project (real processes, bin.mjs), cold (no rendered/, no cache)
 * and warm: render with render, render with check. With the default wait the second waits for the
 * lock and both succeed; with GITOPS_BRIDGE_LOCK_WAIT=0 the second refuses naming the holder's pid.
 * Never an internal error, and rendered/ ends as the repository's own.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliProcess, readRendered, repoRoot, tempProject } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
const expected = readRendered(join(repoRoot, 'rendered'));

function project(cold: boolean): string {
  const { root, cleanup } = tempProject();
  cleanups.push(cleanup);
  if (cold) rmSync(join(root, 'rendered'), { recursive: true, force: true });
  return root;
}

const pairs: [string, boolean, [string, string]][] = [];
for (let i = 0; i < 10; i++) pairs.push([`pair ${i + 1}`, i % 2 === 0, i % 4 < 2 ? ['render', 'render'] : ['render', 'check']]);

describe('concurrent runs', () => {
  it.each(pairs)('%s (cold: %s): %j both succeed, one after the other', async (_name, cold, commands) => {
    const root = project(cold);
    if (!cold) expect((await cliProcess(['render', '--root', root, '-q'])).code).toBe(0);
    const args = (c: string) => [c, '--root', root, ...(c === 'render' ? ['-q'] : [])];
    const first = cliProcess(args(commands[0]));
    // A check must come second (on a cold project it fails when rendered/ is missing): start it once the render holds the lock.
    if (commands[1] === 'check') while (!existsSync(join(root, '.cache/gitops-bridge/lock'))) await new Promise((r) => setTimeout(r, 5));
    const second = cliProcess(args(commands[1]));
    const results = await Promise.all([first, second]);
    for (const r of results) {
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readRendered(join(root, 'rendered'))).toEqual(expected);
    expect(readdirSync(join(root, '.cache/gitops-bridge')).filter((n) => /^(lock|journal-|stage-)|\.tmp-/.test(n))).toEqual([]);
  });

  it.each([true, false])('with GITOPS_BRIDGE_LOCK_WAIT=0 (cold: %s), the second refuses naming the holder\'s pid', async (cold) => {
    const root = project(cold);
    if (!cold) rmSync(join(root, '.cache'), { recursive: true, force: true });
    const env = { GITOPS_BRIDGE_LOCK_WAIT: '0' };
    const results = await Promise.all([cliProcess(['render', '--root', root, '-q'], { env }), cliProcess(['render', '--root', root, '-q', '--no-cache'], { env })]);
    for (const r of results) expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(results.some((r) => r.code === 0)).toBe(true);
    const refused = results.filter((r) => r.code !== 0);
    for (const r of refused) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another gitops-bridge run \(pid \d+, `render`/);
    }
    expect(readRendered(join(root, 'rendered'))).toEqual(expected);
  });
});
