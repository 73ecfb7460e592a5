/**
 * Crash safety: rendered-commit processes are killed (SIGKILL) at random moments of their git
 * writes; every time, `git fsck` stays clean, the branch and the hydrator notes ref are each at
 * their old tip or their new one, and the next run completes to the very commit and notes
 * commit an uninterrupted run makes.
 *
 * The killed processes run crash-child.ts, compiled to JavaScript: the CLI's commit path
 * without its rendered/ check. That check renders the fleet and writes nothing, and it passes
 * or fails the same way for every copy of a scenario's repository, so each scenario runs it
 * once, through the real CLI (in this process), and that run also gives the commit every
 * killed process must end at or before. A real CLI process committing is rendered-commit.test.ts's.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../helpers.js';
import { commitRenderedBranch } from '../../generators/git/rendered-branch.js';
import { bridgeEnv, exampleRepo, expectFsckClean, git, removeTemplate, renderedCommit, type Repo } from './git-helpers.js';
import { scratchDir } from '../scratch.js';

const RUNS = 24;
/** Killed processes at a time: two cores, and another test file runs beside this one. */
const PARALLEL = 2;
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';
/** Every ref but main's: what rendered-commit writes, as `git for-each-ref` sees it. */
function refsOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of git(dir, 'for-each-ref', '--format=%(refname) %(objectname)').trim().split('\n')) {
    const [ref, oid] = line.split(' ') as [string, string];
    if (ref && ref !== 'refs/heads/main') out.set(ref, oid);
  }
  return out;
}

/** The `.lock` files under .git/refs (relative ref names), left by a process killed while moving a ref. */
function refLocks(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, '.git', rel), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${rel}/${e.name}`);
      else if (e.name.endsWith('.lock')) out.push(`${rel}/${e.name.slice(0, -'.lock'.length)}`);
    }
  };
  walk('refs');
  return out;
}
/** crash-child.ts compiled to JavaScript (compileChild). */
let childScript: string;

interface Scenario {
  name: string;
  /** A repository ready for the commit under test. */
  template: string;
  args: string[];
  /** The refs it writes (rendered, the environment branches, the hydrator notes) before and after an uninterrupted run. */
  old: Map<string, string>;
  next: Map<string, string>;
  /** Writes under .git/ an uninterrupted process makes, and how long it writes (first write to exit). */
  events: number;
  writeMs: number;
}

interface Outcome {
  code: number | null;
  signal: string | null;
  /** Writes under .git/ seen before the process ended. */
  events: number;
  /** From the first write under .git/ to the end of the process (0 when it wrote nothing). */
  writeMs: number;
  stderr: string;
}

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await removeTemplate();
});

function copyOf(template: string): string {
  const dir = scratchDir('gitops-bridge-crash-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Runs `f` on every item, at most PARALLEL at a time, results in order. */
async function inBatches<T, R>(items: T[], f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map((x, j) => f(x, i + j)))));
  return out;
}

/**
 * crash-child.ts and the modules of this repository it imports, as JavaScript in a directory
 * of their own (node_modules/ linked in): a killed process then starts on plain Node, without
 * tsx's loader, which otherwise takes as long as the commit itself. TypeScript only strips the
 * types (as tsx does), so the code that runs is the code under test.
 */
function compileChild(): string {
  const out = scratchDir('gitops-bridge-crash-child-');
  cleanups.push(() => rmSync(out, { recursive: true, force: true }));
  symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'), 'dir');
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const entry = join(repoRoot, 'test/git/crash-child.ts');
  const queue = [entry];
  const seen = new Set<string>();
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(out, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
    for (const m of js.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) queue.push(resolve(dirname(file), `${m[1]}.ts`));
  }
  expect(seen.size).toBeGreaterThan(5); // the entry, generators/git/ and what it uses
  return join(out, relative(repoRoot, entry)).replace(/\.ts$/, '.js');
}

/**
 * Runs the commit as a process in `dir`; kills it at the n-th write under .git/, or that many
 * ms after its first write, whichever is asked. Nothing else runs on this event loop meanwhile
 * (callers verify after every process of a batch has ended), so a kill is not held up.
 */
function runProcess(dir: string, args: string[], kill: { events?: number; afterFirstWriteMs?: number } = {}): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [childScript, dir, ...args], { cwd: repoRoot, env: bridgeEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let events = 0;
    let firstWrite: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(join(dir, '.git'), { recursive: true }, () => {
      events++;
      if (firstWrite === undefined) {
        firstWrite = performance.now();
        if (kill.afterFirstWriteMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterFirstWriteMs);
      }
      if (kill.events !== undefined && events >= kill.events) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      watcher.close();
      if (timer) clearTimeout(timer);
      done({ code, signal, events, writeMs: firstWrite === undefined ? 0 : performance.now() - firstWrite, stderr });
    });
  });
}

let scenarios: Scenario[] = [];
let base: Repo;

beforeAll(async () => {
  childScript = compileChild();
  base = await exampleRepo({ origin: 'https://git.example.com/acme/fleet.git' });
  cleanups.push(base.cleanup);
  // 1: the branch's first commit (every tree and provenance blob is new).
  const first = copyOf(base.root);
  // 2: the same with rendered/ not committed on main (--allow-dirty): every blob is new too.
  const dirty = copyOf(base.root);
  rmSync(join(dirty, '.git'), { recursive: true, force: true });
  git(dirty, 'init', '-q', '-b', 'main');
  git(dirty, 'remote', 'add', 'origin', 'https://git.example.com/acme/fleet.git');
  git(dirty, 'add', 'manifests', 'infra', 'package.json');
  git(dirty, 'commit', '-q', '-m', 'Inputs only');
  // 3: a one-app change on top of an existing tip (compare-and-swap from an old value).
  const change = copyOf(base.root);
  expect((await renderedCommit(change)).code).toBe(0);
  const file = join(change, OVERLAY);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "41"'));
  expect((await cli(['--root', change, 'render', '-q'])).code).toBe(0);
  git(change, 'add', '-A');
  git(change, 'commit', '-q', '-m', 'TTL 41');
  // 4: environment branches, first commit: three proposed and three active branches, the hub, the notes.
  const branches = copyOf(base.root);
  const argocd = join(branches, 'manifests/argocd.yaml');
  writeFileSync(argocd, readFileSync(argocd, 'utf8').replace('  hubType: self-managed', '  layout: environment-branches\n  hubType: self-managed'));
  expect((await cli(['--root', branches, 'render', '-q'])).code).toBe(0);
  git(branches, 'add', '-A');
  git(branches, 'commit', '-q', '-m', 'Environment branches');

  const setups: { name: string; template: string; args: string[] }[] = [
    { name: 'first commit', template: first, args: [] },
    { name: 'first commit, all blobs new', template: dirty, args: ['--allow-dirty'] },
    { name: 'one-app change', template: change, args: [] },
    { name: 'environment branches', template: branches, args: [] },
  ];
  // The real CLI, once per scenario (one at a time: renderedCommit swaps process.env): its
  // rendered/ check passes, and its commit is the one every run must end at.
  const references: { old: Map<string, string>; next: Map<string, string> }[] = [];
  for (const s of setups) {
    const reference = copyOf(s.template);
    const r = await renderedCommit(reference, s.args);
    expect(r.code, r.stderr).toBe(0);
    const old = refsOf(s.template);
    const next = refsOf(reference);
    expect(next.get('refs/heads/rendered')).not.toBe(old.get('refs/heads/rendered'));
    expect(next.get('refs/notes/hydrator.metadata')).not.toBe(old.get('refs/notes/hydrator.metadata'));
    references.push({ old, next });
  }
  // The child, uninterrupted: the same commit, and how many writes it makes over how long.
  const measured = await inBatches(setups, async (s) => {
    const dir = copyOf(s.template);
    return { dir, r: await runProcess(dir, s.args) };
  });
  scenarios = setups.map((s, i) => {
    const { dir, r } = measured[i]!;
    expect(r.code, r.stderr).toBe(0);
    expect(refsOf(dir), s.name).toEqual(references[i]!.next);
    expect(r.events, s.name).toBeGreaterThan(0);
    return { ...s, ...references[i]!, events: r.events, writeMs: r.writeMs };
  });
  if (process.env.GITOPS_BRIDGE_TEST_VERBOSE) console.log(scenarios.map((s) => `${s.name}: ${s.events} writes in ${Math.round(s.writeMs)} ms`).join('\n'));
}, 120_000);

describe('a killed rendered-commit', () => {
  it(`leaves a consistent repository, whenever it dies (${RUNS} runs)`, async () => {
    // Deterministic pseudo-random kill points (a failure can be replayed): three in four at the
    // n-th write under .git/, the others at a moment from the first write to a little past the
    // end of an uninterrupted run (start-up and reading the worktree write nothing).
    let seed = 0x5eed;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const plans = Array.from({ length: RUNS }, (_, i) => {
      const s = scenarios[i % scenarios.length]!;
      const kill = Math.floor(i / scenarios.length) % 4 < 3 ? { events: 1 + Math.floor(random() * s.events) } : { afterFirstWriteMs: Math.floor(s.writeMs * random() * 1.1) };
      return { s, kill, dir: copyOf(s.template) };
    });
    const results = await inBatches(plans, ({ s, dir, kill }) => runProcess(dir, s.args, kill));

    const outcomes: string[] = [];
    let killedWhileWriting = 0;
    for (const [i, { s, kill, dir }] of plans.entries()) {
      const r = results[i]!;
      const label = `run ${i} (${s.name}, kill at ${JSON.stringify(kill)}): ${r.signal ?? `exit ${r.code}`} after ${r.events} writes`;
      // Killed, or done: a process that fails on its own is a bug, not a crash.
      expect(r.signal === 'SIGKILL' || r.code === 0, `${label}\n${r.stderr}`).toBe(true);
      if (r.signal === 'SIGKILL' && r.events > 0) killedWhileWriting++;
      // Every ref it writes is at its old value or its new one; a ref still locked was not moved.
      const now = refsOf(dir);
      const moved = [...s.next.keys()].filter((ref) => now.get(ref) === s.next.get(ref) && s.old.get(ref) !== s.next.get(ref));
      outcomes.push(`${label}, ${moved.length} of ${[...s.next.keys()].filter((ref) => s.old.get(ref) !== s.next.get(ref)).length} refs moved`);
      expectFsckClean(dir);
      for (const ref of new Set([...s.old.keys(), ...s.next.keys(), ...now.keys()])) expect([s.old.get(ref), s.next.get(ref)], `${label}: ${ref}`).toContain(now.get(ref));
      if (r.code === 0) expect(now, label).toEqual(s.next);
      for (const ref of refLocks(dir)) {
        expect(now.get(ref), `${label}: a held lock means ${ref} was not moved`).toBe(s.old.get(ref));
        rmSync(join(dir, '.git', `${ref}.lock`)); // what the error message tells the user to do
      }
      // The next run completes, to the same commits and notes an uninterrupted run makes.
      await commitRenderedBranch({ projectRoot: dir, allowDirty: s.args.includes('--allow-dirty'), env: bridgeEnv(), log: () => undefined });
      expect(refsOf(dir), label).toEqual(s.next);
      expectFsckClean(dir);
    }
    if (process.env.GITOPS_BRIDGE_TEST_VERBOSE) console.log(outcomes.join('\n'));
    expect(outcomes).toHaveLength(RUNS);
    // The kills landed in the git writes, not before them or after the process was done.
    expect(killedWhileWriting, outcomes.join('\n')).toBeGreaterThanOrEqual(RUNS / 2);
  }, 240_000);
});
