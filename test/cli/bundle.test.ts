/**
 * The CLI runs from an esbuild bundle of its sources (generators/cli/bundle.mjs). What a user
 * relies on: an edited source is what runs next (never a stale bundle), the bundle and the
 * sources give the same output, and processes starting at once share one build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliProcess, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';

/** A copy of the tool (generators/, schemas/, package.json) sharing this one's node_modules. */
function toolCopy(): string {
  const root = scratchDir('gitops-bridge-tool-');
  for (const entry of ['generators', 'schemas', 'package.json', 'package-lock.json']) cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  // The packages of this checkout, a cache directory of its own.
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  return root;
}

const run = (tool: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(tool, 'generators/cli/bin.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });

describe('the CLI bundle', () => {
  const tool = toolCopy();
  afterAll(() => rmSync(tool, { recursive: true, force: true }));

  it('runs an edited source or a changed install at the next start; processes starting together leave one bundle', async () => {
    const before = run(tool, ['--help']);
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toContain('Render Pulumi stack outputs');

    const main = join(tool, 'generators/cli/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('Render Pulumi stack outputs', 'Render (edited) Pulumi stack outputs'));
    const starts = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<string>((done) => {
            const child = spawn(process.execPath, [join(tool, 'generators/cli/bin.mjs'), '--help'], { cwd: repoRoot });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d));
            child.on('close', () => done(out));
          }),
      ),
    );
    for (const out of starts) expect(out).toContain('Render (edited) Pulumi stack outputs');
    const bundles = join(tool, 'node_modules/.cache/gitops-bridge/cli');
    const dirs = readdirSync(bundles);
    // The bundle of the first sources and the one of the edited sources; no build left half-done.
    expect(dirs.filter((d) => !d.startsWith('.'))).toHaveLength(2);
    expect(dirs.filter((d) => d.startsWith('.'))).toEqual([]);

    // Installing or upgrading a package rewrites node_modules/.package-lock.json: a new bundle.
    const lock = join(tool, 'node_modules/.package-lock.json');
    const text = readFileSync(lock, 'utf8');
    rmSync(lock);
    writeFileSync(lock, `${text}\n`);
    expect(run(tool, ['--help']).status).toBe(0);
    expect(readdirSync(bundles).filter((d) => !d.startsWith('.'))).toHaveLength(3);
  });

  it('renders the same bytes from the bundle as from the sources through tsx', async () => {
    const a = tempProject();
    const b = tempProject();
    try {
      rmSync(join(a.root, 'rendered'), { recursive: true });
      rmSync(join(b.root, 'rendered'), { recursive: true });
      const bundled = await cliProcess(['render', '--no-cache'], { cwd: a.root });
      const sources = await cliProcess(['render', '--no-cache'], { cwd: b.root, env: { GITOPS_BRIDGE_NO_BUNDLE: '1' } });
      expect(bundled.code, bundled.stderr).toBe(0);
      expect(sources.code, sources.stderr).toBe(0);
      expect(bundled.stdout).toBe(sources.stdout);
      expect(snapshotDir(join(a.root, 'rendered'))).toEqual(snapshotDir(join(b.root, 'rendered')));
      expect(snapshotDir(join(a.root, 'rendered'))).toEqual(snapshotDir(join(repoRoot, 'rendered')));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
