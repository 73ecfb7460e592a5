/**
 * Crash safety: rendered-commit processes are killed (SIGKILL) at random moments; every time,
 * `git fsck` stays clean, the branch is at its old tip or its new one, and the next run
 * completes to the very commit an uninterrupted run makes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../helpers.js';
import { commitRenderedBranch } from '../../generators/git/rendered-branch.js';
import { bridgeEnv, exampleRepo, expectFsckClean, git, removeTemplate, renderedCommit, tip, type Repo } from './git-helpers.js';

const RUNS = 20;
const PARALLEL = 4;
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';

interface Scenario {
  name: string;
  /** A repository ready for the commit under test. */
  template: string;
  args: string[];
  old: string | undefined;
  next: string;
  /** Writes under .git/ an uninterrupted process makes, and how long it takes. */
  events: number;
  durationMs: number;
}

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await removeTemplate();
});

function copyOf(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-bridge-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Runs the CLI as a process in `dir`; kills it at the n-th write under .git/ or after ms, whichever comes first. */
function runProcess(dir: string, args: string[], kill: { events?: number; ms?: number } = {}): Promise<{ code: number | null; signal: string | null; events: number; ms: number }> {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'generators/cli/main.ts'), '--root', dir, 'rendered-commit', ...args], {
      cwd: repoRoot,
      env: bridgeEnv(),
      stdio: 'ignore',
    });
    let events = 0;
    const watcher = watch(join(dir, '.git'), { recursive: true }, () => {
      events++;
      if (kill.events !== undefined && events >= kill.events) child.kill('SIGKILL');
    });
    const timer = kill.ms !== undefined ? setTimeout(() => child.kill('SIGKILL'), kill.ms) : undefined;
    child.on('close', (code, signal) => {
      watcher.close();
      if (timer) clearTimeout(timer);
      done({ code, signal, events, ms: Date.now() - started });
    });
  });
}

async function scenario(name: string, template: string, args: string[] = []): Promise<Scenario> {
  const old = tip(template);
  const reference = copyOf(template);
  const r = await runProcess(reference, args);
  expect(r.code).toBe(0);
  const next = tip(reference)!;
  expect(next).not.toBe(old);
  return { name, template, args, old, next, events: r.events, durationMs: r.ms };
}

let scenarios: Scenario[] = [];
let base: Repo;

beforeAll(async () => {
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
  scenarios = await Promise.all([scenario('first commit', first), scenario('first commit, all blobs new', dirty, ['--allow-dirty']), scenario('one-app change', change)]);
  if (process.env.GITOPS_BRIDGE_TEST_VERBOSE) console.log(scenarios.map((s) => `${s.name}: ${s.events} writes, ${s.durationMs} ms`).join("\n"));
}, 120_000);

describe('a killed rendered-commit', () => {
  it(`leaves a consistent repository, whenever it dies (${RUNS} runs)`, async () => {
    // Deterministic pseudo-random kill points (a failure can be replayed): three in four aimed at
    // the writes under .git/ (the n-th of them), the others at a moment of the second half of
    // the run (the first half is start-up and the rendered/ check, which write nothing).
    let seed = 0x5eed;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const plans = Array.from({ length: RUNS }, (_, i) => {
      const s = scenarios[i % scenarios.length]!;
      const kill = i % 4 < 3 ? { events: 1 + Math.floor(random() * Math.max(1, s.events)) } : { ms: Math.floor(s.durationMs * (0.5 + random() * 0.6)) };
      return { s, kill };
    });
    const outcomes: string[] = [];
    for (let i = 0; i < plans.length; i += PARALLEL) {
      await Promise.all(
        plans.slice(i, i + PARALLEL).map(async ({ s, kill }, j) => {
          const dir = copyOf(s.template);
          const r = await runProcess(dir, s.args, kill);
          const label = `run ${i + j} (${s.name}, kill at ${JSON.stringify(kill)}): ${r.signal ?? `exit ${r.code}`} after ${r.events} writes`;
          const now = tip(dir);
          outcomes.push(`${label}, branch at ${now === s.next ? 'new' : now === s.old ? 'old' : now} tip`);
          expectFsckClean(dir);
          expect([s.old, s.next], label).toContain(now);
          if (r.code === 0) expect(now, label).toBe(s.next);
          const lock = join(dir, '.git/refs/heads/rendered.lock');
          if (existsSync(lock)) {
            expect(now, `${label}: a held lock means the ref was not moved`).toBe(s.old);
            rmSync(lock); // what the error message tells the user to do
          }
          // The next run completes, to the same commit an uninterrupted run makes (the library
          // call: rendered/ was checked by the killed run's own start).
          await commitRenderedBranch({ projectRoot: dir, allowDirty: s.args.includes('--allow-dirty'), env: bridgeEnv(), log: () => undefined });
          expect(tip(dir), label).toBe(s.next);
          expectFsckClean(dir);
        }),
      );
    }
    if (process.env.GITOPS_BRIDGE_TEST_VERBOSE) console.log(outcomes.join("\n"));
    expect(outcomes).toHaveLength(RUNS);
  }, 240_000);
});
