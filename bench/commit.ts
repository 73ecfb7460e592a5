/**
 * rendered:commit cost on a tree of about 10,000 files, side by side with the git CLI doing the
 * same job (a separate index: `git add -A`, `git write-tree`, `git commit-tree`, `git update-ref`
 * over a directory holding the same files as the commit, provenance included).
 *
 *   npx tsx bench/commit.ts [--apps 334] [--files 10] [--runs 3] [--naive] [--packed] [--cold]
 *
 * Scenarios, each in fresh copies of one synthetic repository (3 environments x apps x files):
 *   first commit        rendered/ committed on main, so its blobs exist (the CI case)
 *   first, all new      rendered/ never committed: every blob is new (--allow-dirty)
 *   one-app change      one app's files changed and committed on main, then committed again
 *   no change           the same dry state run again
 * gitops-bridge is timed in-process (commitRenderedBranch: reading and hashing rendered/, the
 * uncommitted-changes check, building, writing, moving the ref); the CLI adds Node start-up and
 * the rendered/ staleness check (a full render) on top. --naive adds isomorphic-git's own
 * writeBlob/writeTree/commit for the first commit, for reference.
 *
 * What a CI job meets (a fresh clone) is closer to --packed --cold: --packed runs `git gc` on
 * the synthetic repository, and on the rendered branch before the one-app change (untimed),
 * so the parent's trees are read out of a pack, as after a fetch; --cold deletes the
 * provenance cache before each later commit (a fresh clone has none), so the parent's app
 * directories are all read. Temporary directories go under TMPDIR (e.g. TMPDIR=/dev/shm).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import git from 'isomorphic-git';
import { commitRenderedBranch } from '../generators/git/rendered-branch.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const APPS = opt('apps', 334);
const FILES = opt('files', 10);
const RUNS = opt('runs', 3);
const NAIVE = args.includes('--naive');
const PACKED = args.includes('--packed');
const COLD = args.includes('--cold');
const ENVS = ['dev', 'staging', 'prod'];
const URL = 'https://github.com/acme/fleet.git';

const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_AUTHOR_DATE: '2024-05-01T10:00:00+02:00',
  GIT_COMMITTER_DATE: '2024-05-01T10:00:00+02:00',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const sh = (cwd: string, cmd: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
  execFileSync('git', cmd, { cwd, env: { ...env, ...extra }, encoding: 'utf8', input, maxBuffer: 1 << 28 }).trim();

function manifest(env: string, app: string, i: number, variant: number): string {
  const lines = [`apiVersion: v1`, `kind: ConfigMap`, `metadata:`, `  name: ${app}-part-${i}`, `  namespace: ${app}`, `  labels:`, `    app.kubernetes.io/name: ${app}`, `    environment: ${env}`, `data:`];
  for (let k = 0; k < 20; k++) lines.push(`  KEY_${k}: "${env}-${app}-${i}-${k}-${variant}"`);
  return lines.join('\n') + '\n';
}

function writeApp(root: string, env: string, a: number, variant: number): void {
  const app = `svc-${String(a).padStart(4, '0')}`;
  const dir = join(root, 'rendered', env, app);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `configmap-${app}-part-${i}.yaml`), manifest(env, app, i, variant));
}

/** The synthetic repository: inputs plus rendered/ (committed on main unless `renderedUncommitted`). */
function makeRepo(renderedUncommitted: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-bridge-bench-'));
  for (const e of ENVS) for (let a = 0; a < APPS; a++) writeApp(root, e, a, 0);
  mkdirSync(join(root, 'manifests'), { recursive: true });
  mkdirSync(join(root, 'infra/outputs'), { recursive: true });
  writeFileSync(join(root, 'manifests/fleet.yaml'), 'apps: synthetic\n');
  writeFileSync(join(root, 'infra/outputs/dev.json'), '{}\n');
  writeFileSync(join(root, 'package.json'), '{}\n');
  sh(root, ['init', '-q', '-b', 'main']);
  sh(root, ['config', 'gc.auto', '0']); // no background gc repacking while the bench copies and measures
  sh(root, ['add', ...(renderedUncommitted ? ['manifests', 'infra', 'package.json'] : ['-A'])]);
  sh(root, ['commit', '-q', '-m', 'Fleet\n\nSynthetic.']);
  if (PACKED) sh(root, ['gc', '-q']);
  return root;
}

function copy(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-bridge-bench-'));
  cpSync(source, dir, { recursive: true });
  return dir;
}

async function bridge(root: string, allowDirty = false): Promise<number> {
  const t = performance.now();
  await commitRenderedBranch({ projectRoot: root, repoURL: URL, allowDirty, env: { PATH: process.env.PATH }, log: () => undefined });
  return performance.now() - t;
}

/** The tree of `rev` checked out into a directory (setup for the git CLI side, not timed). */
function materialize(repo: string, rev: string, stage: string): void {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  sh(repo, ['--work-tree', stage, 'checkout', rev, '--', '.'], { GIT_INDEX_FILE: join(stage, '..', 'materialize.index') });
  rmSync(join(stage, '..', 'materialize.index'), { force: true });
}

/** git CLI: stage `stage` with its own index, write the tree, commit it on `rendered`, move the ref. Returns ms. */
function gitCli(repo: string, stage: string, index: string): number {
  const t = performance.now();
  const e = { GIT_INDEX_FILE: index, GIT_WORK_TREE: stage };
  sh(repo, ['add', '-A', '.'], e);
  const tree = sh(repo, ['write-tree'], e);
  const parent = (() => {
    try {
      return sh(repo, ['rev-parse', '--verify', '-q', 'refs/heads/rendered']);
    } catch {
      return undefined;
    }
  })();
  const parentTree = parent ? sh(repo, ['rev-parse', `${parent}^{tree}`]) : undefined;
  if (tree !== parentTree) {
    const commit = sh(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], {}, 'subject\n\nbody\n');
    sh(repo, ['update-ref', 'refs/heads/rendered', commit, ...(parent ? [parent] : [])]);
  }
  return performance.now() - t;
}

/** isomorphic-git used directly: writeBlob for every file, writeTree per directory, writeCommit. */
async function naive(repo: string, stage: string): Promise<number> {
  const t = performance.now();
  const gitdir = join(repo, '.git');
  const walk = async (dir: string): Promise<string> => {
    const entries = [];
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, d.name);
      if (d.isDirectory()) entries.push({ mode: '040000', path: d.name, oid: await walk(full), type: 'tree' as const });
      else entries.push({ mode: '100644', path: d.name, oid: await git.writeBlob({ fs, gitdir, blob: fs.readFileSync(full) }), type: 'blob' as const });
    }
    return git.writeTree({ fs, gitdir, tree: entries });
  };
  const tree = await walk(stage);
  const who = { name: 'b', email: 'b@example.com', timestamp: 1714550400, timezoneOffset: 0 };
  const oid = await git.writeCommit({ fs, gitdir, commit: { tree, parent: [], author: who, committer: who, message: 'naive\n' } });
  await git.writeRef({ fs, gitdir, ref: 'refs/heads/naive', value: oid, force: true });
  return performance.now() - t;
}

function changeOneApp(root: string, variant: number): void {
  rmSync(join(root, 'rendered/dev/svc-0001'), { recursive: true, force: true });
  writeApp(root, 'dev', 1, variant);
  sh(root, ['add', '-A', 'rendered']);
  sh(root, ['commit', '-q', '-m', `Change svc-0001 (${variant})`]);
}

/** Deletes the provenance cache (generators/git/provenance-cache.ts), as a fresh clone has none. */
function forgetProvenance(root: string): void {
  rmSync(join(root, '.git/gitops-bridge/provenance-cache'), { force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

async function main(): Promise<void> {
  const files = ENVS.length * APPS * FILES;
  const mode = [PACKED && 'packed (git gc)', COLD && 'no provenance cache'].filter(Boolean).join(', ');
  console.log(`tree: ${files} manifests in ${ENVS.length * APPS} app directories (+ ${ENVS.length * APPS * 2 + 2} provenance files); ${RUNS} runs, median${mode ? `; ${mode}` : ''}`);
  const committed = makeRepo(false);
  const uncommitted = makeRepo(true);
  const rows: Record<string, { bridge: number[]; git: number[]; naive: number[] }> = {};
  const row = (name: string) => (rows[name] ??= { bridge: [], git: [], naive: [] });
  const cleanup: string[] = [committed, uncommitted];

  for (let run = 0; run < RUNS; run++) {
    for (const [name, source, dirty] of [['first commit (rendered/ on main)', committed, false], ['first commit, all objects new', uncommitted, true]] as const) {
      const b = copy(source);
      const g = copy(source);
      const work = mkdtempSync(join(tmpdir(), 'gitops-bridge-bench-stage-'));
      cleanup.push(b, g, work);
      row(name).bridge.push(await bridge(b, dirty));
      // The git CLI builds the same files: the bridge's tree, checked out (not timed).
      const stage = join(work, 'stage');
      materialize(b, 'refs/heads/rendered', stage);
      row(name).git.push(gitCli(g, stage, join(work, 'index')));
      if (sh(g, ['rev-parse', 'refs/heads/rendered^{tree}']) !== sh(b, ['rev-parse', 'refs/heads/rendered^{tree}'])) throw new Error('git CLI and gitops-bridge built different trees');
      if (NAIVE && run === 0) {
        const n = copy(source);
        cleanup.push(n);
        row(name).naive.push(await naive(n, stage));
      }
      if (dirty) continue;

      // One app changes on main; both sides commit again (git CLI with its warm index).
      changeOneApp(b, run + 1);
      changeOneApp(g, run + 1);
      if (PACKED) for (const r of [b, g]) sh(r, ['gc', '-q']);
      if (COLD) forgetProvenance(b);
      row('one-app change').bridge.push(await bridge(b));
      // The git CLI's staging directory gets the changed files (untimed); its index is warm.
      updateStage(b, stage);
      row('one-app change').git.push(gitCli(g, stage, join(work, 'index')));
      if (sh(g, ['rev-parse', 'refs/heads/rendered^{tree}']) !== sh(b, ['rev-parse', 'refs/heads/rendered^{tree}'])) throw new Error('trees differ after the change');
      if (COLD) forgetProvenance(b);
      row('no change').bridge.push(await bridge(b));
      row('no change').git.push(gitCli(g, stage, join(work, 'index')));
    }
  }
  console.log(`${'scenario'.padEnd(34)}${'gitops-bridge'.padStart(15)}${'git CLI'.padStart(12)}${NAIVE ? 'isomorphic-git naive'.padStart(22) : ''}`);
  for (const [name, r] of Object.entries(rows)) {
    console.log(`${name.padEnd(34)}${fmt(median(r.bridge)).padStart(15)}${fmt(median(r.git)).padStart(12)}${NAIVE ? (r.naive.length ? fmt(median(r.naive)) : '').padStart(22) : ''}`);
  }
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
}

/** Writes into `stage` what changed between the bridge's last two commits (setup for the git CLI side, untimed). */
function updateStage(b: string, stage: string): void {
  const diff = sh(b, ['diff', '--name-status', '--no-renames', 'refs/heads/rendered^', 'refs/heads/rendered']).split('\n');
  for (const line of diff) {
    const [status, path] = line.split('\t') as [string, string];
    const file = join(stage, path);
    if (status === 'D') rmSync(file);
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, execFileSync('git', ['show', `refs/heads/rendered:${path}`], { cwd: b, maxBuffer: 1 << 26 }));
    }
  }
}

await main();
