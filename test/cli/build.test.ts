/**
 * The CLI runs from its build in dist/ (generators/cli/build.mjs; `prepare` makes it at
 * `npm ci`). What a user relies on: an edited source is what runs next (never a stale build),
 * the build and the sources give the same output, processes starting at once share one build,
 * and an installation the user cannot write to renders all the same.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliProcess, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';

/** A copy of the tool (generators/, schemas/, package.json, lockfile) under `root`, sharing this one's node_modules packages. */
function toolCopy(root = scratchDir('gitops-bridge-tool-')): string {
  for (const entry of ['generators', 'schemas', 'package.json', 'package-lock.json']) cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  return root;
}

const run = (tool: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(tool, 'generators/cli/bin.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });

/** The builds in a tool's dist/ (one directory each), and anything half-done. */
const builds = (tool: string) => {
  const names = readdirSync(join(tool, 'dist'));
  return { done: names.filter((n) => !n.startsWith('.') && !n.startsWith('build.json')), partial: names.filter((n) => n.startsWith('.') || /^build\.json\./.test(n)) };
};

describe('the CLI build', () => {
  const tool = toolCopy();
  afterAll(() => rmSync(tool, { recursive: true, force: true }));

  it('runs an edited source or a changed install at the next start; processes starting together leave one build', async () => {
    // No dist/ yet (a clone before `npm ci`'s prepare): the first start builds it.
    const before = run(tool, ['--help']);
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toContain('Render Pulumi stack outputs');
    expect(before.stderr).toBe('');
    expect(builds(tool).done).toHaveLength(1);

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
    // The build of the first sources (kept a while for processes still running it) and the one of the edited sources; nothing half-done.
    expect(builds(tool).done).toHaveLength(2);
    expect(builds(tool).partial).toEqual([]);

    // Installing or upgrading a package rewrites node_modules/.package-lock.json: a new build.
    const lock = join(tool, 'node_modules/.package-lock.json');
    const text = readFileSync(lock, 'utf8');
    rmSync(lock);
    writeFileSync(lock, `${text}\n`);
    expect(run(tool, ['--help']).status).toBe(0);
    expect(builds(tool).done).toHaveLength(3);

    // A source touched but not changed (a checkout, a copy): the same build runs, nothing is built.
    const later = new Date(Date.now() + 5000);
    utimesSync(main, later, later);
    const touched = run(tool, ['--help']);
    expect(touched.stdout).toContain('Render (edited) Pulumi stack outputs');
    expect(builds(tool).done).toHaveLength(3);
  });

  it('renders the same bytes from the build as from the sources through tsx', async () => {
    const a = tempProject();
    const b = tempProject();
    try {
      rmSync(join(a.root, 'rendered'), { recursive: true });
      rmSync(join(b.root, 'rendered'), { recursive: true });
      const built = await cliProcess(['render', '--no-cache'], { cwd: a.root });
      const sources = await cliProcess(['render', '--no-cache'], { cwd: b.root, env: { GITOPS_BRIDGE_NO_BUNDLE: '1' } });
      expect(built.code, built.stderr).toBe(0);
      expect(sources.code, sources.stderr).toBe(0);
      expect(built.stdout).toBe(sources.stdout);
      expect(snapshotDir(join(a.root, 'rendered'))).toEqual(snapshotDir(join(b.root, 'rendered')));
      expect(snapshotDir(join(a.root, 'rendered'))).toEqual(snapshotDir(join(repoRoot, 'rendered')));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

/**
 * Who runs the read-only installation: root ignores permission bits, so as root the test runs it
 * as `nobody` (setpriv), and needs that user to be able to read this checkout's node_modules;
 * any other user is unprivileged already. undefined (with why) when neither works.
 */
function unprivileged(): { prefix: string[]; uid: number; gid: number } | { skip: string } {
  if (process.getuid?.() !== 0) return { prefix: [], uid: process.getuid!(), gid: process.getgid!() };
  const uid = 65534;
  const prefix = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
  const probe = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(join(repoRoot, 'node_modules/tsx/package.json'))})`], { encoding: 'utf8' });
  if (probe.error) return { skip: `setpriv is not available (${probe.error.message})` };
  if (probe.status !== 0) return { skip: `user ${uid} cannot read ${repoRoot}/node_modules: ${probe.stderr.trim().split('\n').pop()}` };
  return { prefix, uid, gid: uid };
}

describe('a read-only installation', () => {
  const user = unprivileged();

  it('renders with node_modules/, generators/ and dist/ not writable; an edited source runs from the sources with a notice', async (ctx) => {
    if ('skip' in user) {
      console.warn(`SKIPPED: the read-only installation test needs an unprivileged user: ${user.skip}`);
      ctx.skip(user.skip);
      return;
    }
    // A clone after `npm ci` (prepare built dist/), made read-only but for the project's own
    // rendered/ and .cache/: the root and rendered/ belong to the user, the rest is root's, a-w.
    const root = mkdtempSync(join(tmpdir(), 'gitops-bridge-ro-'));
    try {
      chmodSync(root, 0o755);
      toolCopy(root);
      for (const entry of ['manifests', 'infra/outputs']) cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
      const built = spawnSync(process.execPath, [join(root, 'generators/cli/build.mjs')], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      const home = join(root, '.home');
      mkdirSync(home);
      for (const path of [root, home]) chownSync(path, user.uid, user.gid);
      const readOnly = (path: string) => {
        if (!lstatSync(path).isSymbolicLink()) chmodSync(path, lstatSync(path).mode & ~0o222);
        if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) readOnly(join(path, name));
      };
      for (const dir of ['node_modules', 'generators', 'dist', 'schemas']) readOnly(join(root, dir));
      const asUser = (args: string[], env: NodeJS.ProcessEnv = {}) => {
        const options: SpawnSyncOptions = { cwd: root, encoding: 'utf8', env: { ...process.env, HOME: home, CI: '1', npm_config_update_notifier: 'false', ...env } };
        const r = spawnSync(user.prefix[0] ?? 'npm', [...user.prefix.slice(1), ...(user.prefix.length ? ['npm'] : []), ...args], options);
        return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
      };
      const distBefore = snapshotDir(join(root, 'dist'));

      // A first render (no rendered/, no cache) with a render worker thread and the writer thread, then a re-render.
      const first = asUser(['run', '--silent', 'render'], { GITOPS_BRIDGE_THREADS: '2', GITOPS_BRIDGE_TIMINGS: '1' });
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr).not.toMatch(/gitops-bridge:/);
      expect(first.stderr).toMatch(/\b1 worker thread\)/);
      expect(snapshotDir(join(root, 'rendered'))).toEqual(snapshotDir(join(repoRoot, 'rendered')));
      expect(existsSync(join(root, '.cache/gitops-bridge/units.json'))).toBe(true);
      const again = asUser(['run', '--silent', 'render']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain('0 added, 0 changed, 0 removed');

      // A source edited after the build: run from the sources, said in one line.
      const source = join(root, 'generators/cli/commands/render.ts');
      chmodSync(source, 0o644);
      writeFileSync(source, readFileSync(source, 'utf8').replace('render manifests/', 'render (edited) manifests/'));
      chmodSync(source, 0o444);
      const edited = asUser(['run', '--silent', 'render', '--', '--help']);
      expect(edited.status, edited.stderr).toBe(0);
      expect(edited.stdout).toContain('render (edited) manifests/');
      expect(edited.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^gitops-bridge: dist\/ is not a build of the current sources and could not be rebuilt \(.*\); running from the sources$/)]);
      expect(snapshotDir(join(root, 'dist'))).toEqual(distBefore);
    } finally {
      spawnSync('chmod', ['-R', 'u+w', root]);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
