/**
 * Two CLI runs at once on one project (real processes, bin.mjs), cold (no rendered/, no cache)
 * and warm: render with render, render with check, and in a git repository rendered-commit with
 * rendered-commit and with render (cold: no `rendered` branch yet). With the default wait the
 * second waits for the lock and both succeed; with GITOPS_BRIDGE_LOCK_WAIT=0 the second refuses
 * naming the holder's pid. Never an internal error; rendered/ ends as the repository's own, and
 * the branch holds exactly one new commit of rendered/ (the second run finds nothing to commit)
 * with `git fsck` clean.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliProcess, editFile, readRendered, repoRoot, tempProject } from '../helpers.js';
import { bridgeEnv, expectFsckClean, git, lsTree, renderedBlobs, repoPerTest, tip } from '../git/git-helpers.js';

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

  const newRepo = repoPerTest();
  const commitPairs: [string, boolean, [string, string]][] = [];
  for (let i = 0; i < 6; i++) commitPairs.push([`commit pair ${i + 1}`, i % 2 === 0, i < 4 ? ['rendered-commit', 'rendered-commit'] : ['render', 'rendered-commit']]);

  it.each(commitPairs)('%s (cold: %s): %j both succeed, one commit of rendered/ on the branch', async (_name, cold, commands) => {
    const r = await newRepo({ origin: 'https://git.example.com/acme/fleet.git' });
    const env = bridgeEnv();
    if (!cold) {
      expect((await cliProcess(['rendered-commit', '--root', r.root], { env })).code).toBe(0);
      // A dry commit that changes rendered/ (after the render of the pair, if it has one, finds nothing to do).
      editFile(join(r.root, 'manifests/apps/catalog-api/overlays/dev.yaml'), (t) => t.replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "61"'));
      expect((await cliProcess(['render', '--root', r.root, '-q'], { env })).code).toBe(0);
      r.commitAll('Cache catalog for 61s in dev');
    }
    const before = tip(r.root);
    const args = (c: string) => [c, '--root', r.root, ...(c === 'render' ? ['-q'] : [])];
    const results = await Promise.all(commands.map((c) => cliProcess(args(c), { env })));
    for (const res of results) {
      expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(res.code, `${res.stderr}\n${results.map((x) => x.stdout + x.stderr).join('\n---\n')}`).toBe(0);
    }
    const after = tip(r.root)!;
    expect(after).toBeDefined();
    // One new commit whose parent is the old tip (or none), not two racing ones.
    expect(git(r.root, 'rev-list', '--count', before ? `${before}..${after}` : after).trim()).toBe('1');
    expectFsckClean(r.root);
    const tree = lsTree(r.root, 'refs/heads/rendered');
    for (const [path, oid] of renderedBlobs(r.root)) expect(tree.get(path), path).toBe(oid);
    expect(git(r.root, 'status', '--porcelain')).toBe('');
  });
});
