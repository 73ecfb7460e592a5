/**
 * `npm run bench`: how fast gitops-bridge is at fleet scale, side by side with Kustomize.
 *
 *   npm run bench [-- --apps 1000 --envs 3 --runs 3 --mix --growth --json --keep --no-kustomize --dir <tmp> --threads <n>]
 *
 * Builds the synthetic fleet of synthetic-fleet.ts (apps x environments, real spec format) in a
 * temporary git repository and measures, as a user runs them (a new `gitops-bridge` process per
 * run, Node start-up included; CI=1 so no progress bar):
 *   full render       rendered/ and the cache deleted first
 *   no-op render      nothing changed since the last render
 *   one-app render    one app's image tag changed
 *   check             rendered/ up to date
 *   check, no cache   `check --no-cache`
 * and in this process, as bench/commit.ts does (generators/git API, no Node start-up), after the
 * staleness check `rendered-commit` runs first (a `check`, untimed, which leaves the manifest of
 * rendered/ the commit reads blob ids from):
 *   first commit      rendered/ committed on main, the `rendered` branch made from it
 *   one-app commit    one app changed, rendered and committed on main, then the branch commit
 * plus the peak resident memory of the render processes, `kubectl kustomize` on the equivalent
 * bases and overlays (kustomize-fleet.ts), one process per environment, when kubectl is on PATH,
 * and a floor: the same objects through the same YAML serialiser and file writes, nothing else
 * (and through js-yaml's dump, which the serialiser matches byte for byte).
 * Each CLI run is also timed from the inside (its GITOPS_BRIDGE_TIMINGS phases: everything after
 * Node start-up and module loading), shown in brackets in the table and as `in_process` in JSON.
 * Medians of --runs runs; Kustomize runs once when one pass takes over 20 s. --growth also
 * renders twice the apps (cold) to show how time grows. --json prints one JSON object. --dir
 * puts the temporary directory elsewhere than the system's (a RAM disk: /dev/shm), for figures
 * that do not depend on the disk. --threads sets the CLI's render threads (GITOPS_BRIDGE_THREADS,
 * this thread included: 2 forces a worker thread on, even on 2 cores).
 *
 * --mix also measures, in the same run, the same number of apps with a fifth of them Kustomize
 * apps and a fifth chart apps (synthetic-fleet.ts), each run right after the same run of the
 * spec-only fleet so that the machine's drift touches both alike: cold, no-op, one-app (a spec
 * app, a Kustomize app, a chart app) renders and check. Then its Kustomize apps alone, by both
 * tools (kustomize-share.ts): gitops-bridge renders them cold (`render --app <those apps>` in a
 * project of only them: a new process, everything a user waits for) and builds them in this
 * process (the build alone); `kubectl kustomize` builds the same directories, the bridge values
 * substituted, one process per app and environment and one per environment, and each per-app
 * output is compared with gitops-bridge's build of the same files. --no-kustomize skips the
 * whole-fleet Kustomize comparison only (one pass at 1000 apps takes minutes); these builds, of a
 * fifth of the apps, run whenever kubectl is on PATH.
 */
import { readFleet } from '../generators/workspace/fleet.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { commitRenderedBranch } from '../generators/git/rendered-branch.js';
import { inProcessExecutor, renderFleet } from '../generators/engine/engine.js';
import { FileIndex } from '../generators/workspace/file-index.js';
import { toYaml, toYamlReference } from '../generators/engine/yaml.js';
import { kustomizeFleet } from './kustomize-fleet.js';
import { repoRoot } from './paths.js';
import { buildInProcess, hasKubectl, kubectlPerApp, kubectlPerEnv, writeKubectlTree } from './kustomize-share.js';
import { appKind, appName, envName, syntheticFleet, writeFiles, type FleetOptions, type FleetSize } from './synthetic-fleet.js';

export interface BenchResult {
  apps: number;
  envs: number;
  resources: number;
  runs: number;
  node: string;
  cpus: number;
  /** --threads (GITOPS_BRIDGE_THREADS of the CLI runs); null: the CLI's default. */
  threads: number | null;
  /** How renders and check are timed. */
  render_mode: 'cli-process';
  commit_mode: 'in-process';
  cli_startup_s: number;
  /** The same runs, the time inside the CLI process only (after Node start-up and module loading): its GITOPS_BRIDGE_TIMINGS phases. */
  in_process: { full_render_s: number; noop_render_s: number; one_app_render_s: number; check_s: number };
  full_render_s: number;
  noop_render_s: number;
  one_app_render_s: number;
  check_s: number;
  check_no_cache_s: number;
  commit_first_s: number;
  commit_one_app_s: number;
  peak_rss_mb: number;
  kustomize_s: number | null;
  kustomize_resources: number | null;
  /** Where the temporary project was (the disk matters for writes). */
  work_dir: string;
  floor_s: number;
  /** The floor with js-yaml's dump instead of gitops-bridge's writer (same bytes). */
  floor_js_yaml_s: number;
  /** Full render of twice the apps, over full_render_s (with --growth). */
  growth_2x: number | null;
  full_render_2x_s: number | null;
  /** With --mix: the mixed fleet of the same size, and its Kustomize apps by both tools. */
  mix: MixResult | null;
}

/** Renders of the mixed fleet, each CLI measure as for the spec-only fleet. */
export interface MixResult {
  apps: Record<'spec' | 'kustomize' | 'chart', number>;
  resources: number;
  full_render_s: number;
  noop_render_s: number;
  /** A spec app's image tag changed (app 0, as for the spec-only fleet). */
  one_app_render_s: number;
  /** A Kustomize app's base changed (its images newTag): the app in every environment. */
  one_kustomize_app_render_s: number;
  /** A chart app's chart.ts changed (its image tag). */
  one_chart_app_render_s: number;
  check_s: number;
  in_process: { full_render_s: number; noop_render_s: number; one_app_render_s: number; one_kustomize_app_render_s: number; one_chart_app_render_s: number; check_s: number };
  peak_rss_mb: number;
  /** Cold render of the mixed fleet over that of the spec-only fleet (medians, same run). */
  full_render_vs_spec: number;
  kustomize_share: KustomizeShare;
}

/** The Kustomize apps of the mixed fleet, by gitops-bridge and by `kubectl kustomize`, in the same run. */
export interface KustomizeShare {
  apps: number;
  envs: number;
  /** Objects gitops-bridge renders for them. */
  resources: number;
  /** `render --app <them>` cold in a project of only them, a new process. */
  render_s: number;
  /** The same runs, inside the process. */
  render_in_process_s: number;
  /** Their build in this process (resolve, build, adopt; no check, no writes), one thread. */
  build_in_process_s: number;
  /** kubectl kustomize, one process per app and environment, sequential (one pass); null without kubectl. */
  kubectl_per_app_s: number | null;
  /** kubectl kustomize, one process per environment, sequential. */
  kubectl_per_env_s: number | null;
  kubectl_resources: number | null;
  /** Per-app kubectl builds, and how many gave exactly the objects of gitops-bridge's build of the same files. */
  kubectl_builds: number | null;
  kubectl_same: number | null;
}

const { values: opts } = parseArgs({
  options: {
    apps: { type: 'string', default: '1000' },
    envs: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    growth: { type: 'boolean', default: false },
    mix: { type: 'boolean', default: false },
    'no-kustomize': { type: 'boolean', default: false },
    dir: { type: 'string' },
    threads: { type: 'string' },
  },
});
const size: FleetSize = { apps: positive('apps'), envs: positive('envs') };
const RUNS = positive('runs');
const MIX = opts.mix;
if (MIX && size.apps < 5) {
  process.stderr.write('bench: --mix needs --apps 5 or more (every fifth app from the fourth is a Kustomize app, from the fifth a chart app)\n');
  process.exit(2);
}
const THREADS = opts.threads === undefined ? null : positive('threads');
const REPO_URL = 'https://github.com/example/bench-fleet.git';
const BIN = join(repoRoot, 'generators/cli/bin.mjs');
const RSS_HOOK = join(repoRoot, 'bench/rss-hook.mjs');

function positive(name: 'apps' | 'envs' | 'runs' | 'threads'): number {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: --${name} takes a whole number >= 1\n`);
    process.exit(2);
  }
  return n;
}

const log = (line: string) => {
  if (!opts.json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const seconds = (ms: number) => Math.round(ms) / 1000;

const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_AUTHOR_DATE: '2024-05-01T10:00:00+02:00',
  GIT_COMMITTER_DATE: '2024-05-01T10:00:00+02:00',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/** A new synthetic project: the fleet, a package.json, a git repository with the inputs committed. */
function makeProject(dir: string, fleet: FleetSize, options: FleetOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, syntheticFleet(fleet, 0, options));
  writeFileSync(join(dir, 'package.json'), '{ "name": "bench-fleet", "private": true }\n');
  writeFileSync(join(dir, '.gitignore'), '.cache/\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'gc.auto', '0');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Synthetic fleet');
}

/** What `rendered-commit` passes commitRenderedBranch: rendered/'s file index, as the render before it left it. */
function knownBlobs(project: string) {
  const state = FileIndex.from(JSON.parse(readFileSync(join(project, '.cache/gitops-bridge/rendered.json'), 'utf8')));
  return (path: string, stats: Stats) => state.known(path, stats);
}

/** The one-app change: app 0's image tag becomes 1.<variant>.0. */
function changeOneApp(dir: string, variant: number): void {
  const path = `manifests/apps/${appName(0)}/app.yaml`;
  writeFiles(dir, new Map([[path, syntheticFleet({ apps: 1, envs: size.envs }, variant).get(path)!]]));
}

/** In a mixed fleet: the first Kustomize app's base image tag, or the first chart app's image tag, becomes 1.<variant>.0. */
function changeOneBrought(dir: string, kind: 'kustomize' | 'chart', variant: number): void {
  const index = kind === 'kustomize' ? 3 : 4;
  const file = join(dir, `manifests/apps/${appName(index)}/${kind === 'kustomize' ? 'base/kustomization.yaml' : 'chart.ts'}`);
  const text = readFileSync(file, 'utf8');
  const next = kind === 'kustomize' ? text.replace(/newTag: 1\.\d+\.0/, `newTag: 1.${variant + 1}.0`) : text.replace(/:1\.\d+\.0'/, `:1.${variant + 1}.0'`);
  if (next === text) throw new Error(`${file}: no image tag to change`);
  writeFileSync(file, next);
}

interface Run {
  ms: number;
  /** Time inside the process: the CLI's phase timings (GITOPS_BRIDGE_TIMINGS), start-up and module loading left out. */
  inProcessMs: number;
  rssKb: number;
  stdout: string;
}

/** Runs the CLI in a new process, the way `npx gitops-bridge` does, and times it. */
function cli(project: string, args: string[]): Run {
  const rssFile = join(dirname(project), `rss-${process.pid}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, BIN, ...args, '--root', project], {
    cwd: project,
    env: { ...process.env, CI: '1', GITOPS_BRIDGE_BENCH_RSS: rssFile, GITOPS_BRIDGE_TIMINGS: '1', ...(THREADS !== null && { GITOPS_BRIDGE_THREADS: String(THREADS) }) },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`gitops-bridge ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  const rssKb = Number(readFileSync(rssFile, 'utf8'));
  rmSync(rssFile, { force: true });
  let inProcessMs = 0;
  for (const m of r.stderr.matchAll(/^timing: (.*) (\d+) ms$/gm)) if (!/^(process start|load the generators)/.test(m[1]!)) inProcessMs += Number(m[2]);
  return { ms, inProcessMs, rssKb, stdout: r.stdout };
}

function expectOutput(run: Run, pattern: RegExp, what: string): RegExpExecArray {
  const m = pattern.exec(run.stdout);
  if (!m) throw new Error(`${what}: unexpected output:\n${run.stdout}`);
  return m;
}

async function main(): Promise<void> {
  const cpus = availableParallelism();
  const work = mkdtempSync(join(opts.dir ?? tmpdir(), 'gitops-bridge-bench-'));
  const project = join(work, 'project');
  log(`bench: ${size.apps} apps x ${size.envs} environments in ${work} (${RUNS} runs, median)`);
  makeProject(project, size);
  let peakRss = 0;
  const track = (r: Run) => {
    peakRss = Math.max(peakRss, r.rssKb);
    return r;
  };
  // The mixed fleet, measured right after the spec-only fleet in each loop below.
  const mixProject = MIX ? join(work, 'project-mix') : undefined;
  if (mixProject) makeProject(mixProject, size, { mix: true });
  const mixRuns = { full: series(), noop: series(), oneApp: series(), oneKustomize: series(), oneChart: series(), check: series() };
  let mixPeakRss = 0;
  let mixResources = 0;
  const mix = (args: string[], into: Series, pattern: RegExp, what: string): RegExpExecArray => {
    const r = cli(mixProject!, args);
    mixPeakRss = Math.max(mixPeakRss, r.rssKb);
    into.ms.push(r.ms);
    into.inside.push(r.inProcessMs);
    return expectOutput(r, pattern, `mixed fleet: ${what}`);
  };

  const startup = median(Array.from({ length: RUNS }, () => cli(project, ['render', '--help']).ms));

  // Full render, cold: nothing rendered, no cache.
  const full: number[] = [];
  const fullIn: number[] = [];
  let resources = 0;
  for (let i = 0; i < RUNS; i++) {
    rmSync(join(project, 'rendered'), { recursive: true, force: true });
    rmSync(join(project, '.cache'), { recursive: true, force: true });
    const r = track(cli(project, ['render']));
    resources = Number(expectOutput(r, /(\d+) resources into rendered\/: (\d+) added, 0 changed, 0 removed, 0 unchanged/, 'full render')[1]);
    full.push(r.ms);
    fullIn.push(r.inProcessMs);
    log(`  full render ${i + 1}: ${(r.ms / 1000).toFixed(2)} s (${(r.inProcessMs / 1000).toFixed(2)} s in the process), ${Math.round(r.rssKb / 1024)} MiB`);
    if (mixProject) {
      rmSync(join(mixProject, 'rendered'), { recursive: true, force: true });
      rmSync(join(mixProject, '.cache'), { recursive: true, force: true });
      mixResources = Number(mix(['render'], mixRuns.full, /(\d+) resources into rendered\/: (\d+) added, 0 changed, 0 removed, 0 unchanged/, 'full render')[1]);
      log(`  full render ${i + 1}, mixed fleet: ${(mixRuns.full.ms.at(-1)! / 1000).toFixed(2)} s`);
    }
  }

  const noop: number[] = [];
  const noopIn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = track(cli(project, ['render']));
    expectOutput(r, / 0 added, 0 changed, 0 removed, \d+ unchanged/, 'no-op render');
    noop.push(r.ms);
    noopIn.push(r.inProcessMs);
    if (mixProject) mix(['render'], mixRuns.noop, / 0 added, 0 changed, 0 removed, \d+ unchanged/, 'no-op render');
  }
  log(`  no-op render: ${(median(noop) / 1000).toFixed(2)} s`);

  const oneApp: number[] = [];
  const oneAppIn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    changeOneApp(project, i + 1);
    const r = track(cli(project, ['render']));
    expectOutput(r, / 0 added, [1-9]\d* changed, 0 removed/, 'one-app render');
    oneApp.push(r.ms);
    oneAppIn.push(r.inProcessMs);
    if (mixProject) {
      changeOneApp(mixProject, i + 1);
      mix(['render'], mixRuns.oneApp, / 0 added, [1-9]\d* changed, 0 removed/, 'one-app render');
      changeOneBrought(mixProject, 'kustomize', i + 1);
      mix(['render'], mixRuns.oneKustomize, / 0 added, [1-9]\d* changed, 0 removed/, 'one Kustomize app render');
      changeOneBrought(mixProject, 'chart', i + 1);
      mix(['render'], mixRuns.oneChart, / 0 added, [1-9]\d* changed, 0 removed/, 'one chart app render');
    }
  }
  log(`  one-app render: ${(median(oneApp) / 1000).toFixed(2)} s`);

  const check: number[] = [];
  const checkIn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = track(cli(project, ['check']));
    check.push(r.ms);
    checkIn.push(r.inProcessMs);
    if (mixProject) mix(['check'], mixRuns.check, /./, 'check');
  }
  const checkCold: number[] = [];
  for (let i = 0; i < RUNS; i++) checkCold.push(track(cli(project, ['check', '--no-cache'])).ms);
  log(`  check: ${(median(check) / 1000).toFixed(2)} s; without the cache ${(median(checkCold) / 1000).toFixed(2)} s`);

  // The rendered branch: rendered/ committed on main first (what CI does after a merge).
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'Render');
  const commitFirst: number[] = [];
  const commitOneApp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const copy = join(work, `commit-${i}`);
    cpSync(project, copy, { recursive: true });
    // As `rendered-commit` does: the staleness check (a render) leaves a manifest of rendered/.
    cli(copy, ['check']);
    let t = performance.now();
    await commitRenderedBranch({ projectRoot: copy, repoURL: REPO_URL, env: { PATH: process.env.PATH }, log: () => undefined, knownBlobs: knownBlobs(copy) });
    commitFirst.push(performance.now() - t);
    changeOneApp(copy, 100 + i);
    cli(copy, ['render']);
    git(copy, 'add', '-A');
    git(copy, 'commit', '-q', '-m', `Change ${appName(0)}`);
    cli(copy, ['check']);
    t = performance.now();
    const r = await commitRenderedBranch({ projectRoot: copy, repoURL: REPO_URL, env: { PATH: process.env.PATH }, log: () => undefined, knownBlobs: knownBlobs(copy) });
    commitOneApp.push(performance.now() - t);
    if (!r.commit) throw new Error('one-app commit: nothing was committed');
    rmSync(copy, { recursive: true, force: true });
  }
  log(`  commit: first ${(median(commitFirst) / 1000).toFixed(2)} s, one app ${(median(commitOneApp) / 1000).toFixed(2)} s`);

  // The floor: the same objects, serialised and written, nothing else (one thread), with
  // gitops-bridge's YAML writer and with js-yaml's dump (the library it matches byte for byte).
  const fleet = readFleet(project);
  const objects = [...(await renderFleet(fleet, {}, { executor: inProcessExecutor(undefined, { keepObjects: true }), codeKey: 'floor' })).rendered].map(([path, { object }]) => [path, object] as const);
  const floorWith = (serialise: (o: unknown) => string) => {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const out = join(work, `floor-${i}`);
      const t = performance.now();
      const made = new Set<string>();
      for (const [path, object] of objects) {
        const file = join(out, path);
        const dir = dirname(file);
        if (!made.has(dir)) {
          mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
        writeFileSync(file, serialise(object));
      }
      runs.push(performance.now() - t);
      rmSync(out, { recursive: true, force: true });
    }
    return median(runs);
  };
  const floor = floorWith(toYaml);
  const floorJsYaml = floorWith(toYamlReference);
  log(`  floor: ${(floor / 1000).toFixed(2)} s; with js-yaml's dump ${(floorJsYaml / 1000).toFixed(2)} s`);

  let growth: number | null = null;
  let full2x: number | null = null;
  if (opts.growth) {
    const big = join(work, 'project-2x');
    makeProject(big, { apps: size.apps * 2, envs: size.envs });
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(join(big, 'rendered'), { recursive: true, force: true });
      rmSync(join(big, '.cache'), { recursive: true, force: true });
      runs.push(track(cli(big, ['render'])).ms);
    }
    full2x = median(runs);
    growth = full2x / median(full);
    log(`  full render of ${size.apps * 2} apps: ${(full2x / 1000).toFixed(2)} s (${growth.toFixed(2)}x)`);
    rmSync(big, { recursive: true, force: true });
  }

  const kustomize = opts['no-kustomize'] ? null : runKustomize(work);

  let mixResult: MixResult | null = null;
  if (mixProject) {
    const m = (s: Series) => seconds(median(s.ms));
    const inside = (s: Series) => seconds(median(s.inside));
    const counts = { spec: 0, kustomize: 0, chart: 0 };
    for (let a = 0; a < size.apps; a++) counts[appKind(a, { mix: true })]++;
    mixResult = {
      apps: counts,
      resources: mixResources,
      full_render_s: m(mixRuns.full),
      noop_render_s: m(mixRuns.noop),
      one_app_render_s: m(mixRuns.oneApp),
      one_kustomize_app_render_s: m(mixRuns.oneKustomize),
      one_chart_app_render_s: m(mixRuns.oneChart),
      check_s: m(mixRuns.check),
      in_process: {
        full_render_s: inside(mixRuns.full),
        noop_render_s: inside(mixRuns.noop),
        one_app_render_s: inside(mixRuns.oneApp),
        one_kustomize_app_render_s: inside(mixRuns.oneKustomize),
        one_chart_app_render_s: inside(mixRuns.oneChart),
        check_s: inside(mixRuns.check),
      },
      peak_rss_mb: Math.round(mixPeakRss / 1024),
      full_render_vs_spec: Math.round((median(mixRuns.full.ms) / median(full)) * 100) / 100,
      kustomize_share: kustomizeShare(work, counts.kustomize),
    };
  }

  const result: BenchResult = {
    apps: size.apps,
    envs: size.envs,
    resources,
    runs: RUNS,
    node: process.version,
    cpus,
    threads: THREADS,
    render_mode: 'cli-process',
    commit_mode: 'in-process',
    cli_startup_s: seconds(startup),
    full_render_s: seconds(median(full)),
    noop_render_s: seconds(median(noop)),
    one_app_render_s: seconds(median(oneApp)),
    check_s: seconds(median(check)),
    in_process: {
      full_render_s: seconds(median(fullIn)),
      noop_render_s: seconds(median(noopIn)),
      one_app_render_s: seconds(median(oneAppIn)),
      check_s: seconds(median(checkIn)),
    },
    check_no_cache_s: seconds(median(checkCold)),
    commit_first_s: seconds(median(commitFirst)),
    commit_one_app_s: seconds(median(commitOneApp)),
    peak_rss_mb: Math.round(peakRss / 1024),
    kustomize_s: kustomize ? seconds(kustomize.ms) : null,
    kustomize_resources: kustomize ? kustomize.resources : null,
    work_dir: opts.dir ?? tmpdir(),
    floor_s: seconds(floor),
    floor_js_yaml_s: seconds(floorJsYaml),
    growth_2x: growth === null ? null : Math.round(growth * 100) / 100,
    full_render_2x_s: full2x === null ? null : seconds(full2x),
    mix: mixResult,
  };
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
  process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : table(result));
}

interface Series {
  ms: number[];
  inside: number[];
}
const series = (): Series => ({ ms: [], inside: [] });

/**
 * The Kustomize apps of the mixed fleet alone, in a project of their own: rendered cold by the
 * CLI (`render --app` every one of them), built in this process, and built by `kubectl kustomize`.
 */
function kustomizeShare(work: string, apps: number): KustomizeShare {
  const dir = join(work, 'project-kustomize');
  const names: string[] = [];
  for (let a = 0; a < size.apps; a++) if (appKind(a, { mix: true }) === 'kustomize') names.push(appName(a));
  const prefixes = names.map((n) => `manifests/apps/${n}/`);
  const files = [...syntheticFleet(size, 0, { mix: true })].filter(([p]) => !p.startsWith('manifests/apps/') || prefixes.some((prefix) => p.startsWith(prefix)));
  writeFiles(dir, new Map(files));
  writeFileSync(join(dir, 'package.json'), '{ "name": "bench-kustomize", "private": true }\n');

  const render = series();
  let resources = 0;
  for (let i = 0; i < RUNS; i++) {
    rmSync(join(dir, 'rendered'), { recursive: true, force: true });
    rmSync(join(dir, '.cache'), { recursive: true, force: true });
    const r = cli(dir, ['render', '--app', names.join(',')]);
    resources = Number(expectOutput(r, /(\d+) resources into rendered\/: \d+ added, 0 changed, 0 removed, 0 unchanged/, 'Kustomize apps: cold render')[1]);
    render.ms.push(r.ms);
    render.inside.push(r.inProcessMs);
  }
  log(`  Kustomize apps, cold render: ${(median(render.ms) / 1000).toFixed(2)} s for ${resources} resources`);

  const fleet = readFleet(dir);
  const builds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const b = buildInProcess(fleet);
    if (b.objects !== resources) throw new Error(`Kustomize apps: the in-process build gave ${b.objects} objects, the render ${resources}`);
    builds.push(b.ms);
  }
  log(`  Kustomize apps, in-process build: ${(median(builds) / 1000).toFixed(2)} s`);

  const share: KustomizeShare = {
    apps,
    envs: size.envs,
    resources,
    render_s: seconds(median(render.ms)),
    render_in_process_s: seconds(median(render.inside)),
    build_in_process_s: seconds(median(builds)),
    kubectl_per_app_s: null,
    kubectl_per_env_s: null,
    kubectl_resources: null,
    kubectl_builds: null,
    kubectl_same: null,
  };
  if (!hasKubectl()) {
    log('  Kustomize apps: kubectl is not on PATH, kubectl skipped');
    return share;
  }
  const tree = writeKubectlTree(fleet, join(work, 'kubectl-kustomize'));
  const perApp = kubectlPerApp(tree);
  log(`  Kustomize apps, kubectl per app and environment: ${(perApp.ms / 1000).toFixed(2)} s, ${perApp.same} of ${perApp.builds} builds the same as gitops-bridge's`);
  const perEnv: number[] = [];
  let perEnvObjects = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = kubectlPerEnv(tree);
    perEnv.push(r.ms);
    perEnvObjects = r.objects;
    if (r.ms > 20_000) break;
  }
  if (perEnvObjects !== perApp.objects) throw new Error(`kubectl kustomize: ${perEnvObjects} objects per environment, ${perApp.objects} per app`);
  log(`  Kustomize apps, kubectl per environment: ${(median(perEnv) / 1000).toFixed(2)} s`);
  return {
    ...share,
    kubectl_per_app_s: seconds(perApp.ms),
    kubectl_per_env_s: seconds(median(perEnv)),
    kubectl_resources: perApp.objects,
    kubectl_builds: perApp.builds,
    kubectl_same: perApp.same,
  };
}

/** `kubectl kustomize` over the equivalent overlays, one process per environment; null without kubectl. */
function runKustomize(work: string): { ms: number; resources: number } | null {
  if (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0) {
    log('  kustomize: kubectl is not on PATH, skipped');
    return null;
  }
  const dir = join(work, 'kustomize');
  writeFiles(dir, kustomizeFleet(size));
  const passes: number[] = [];
  let resources = 0;
  for (let i = 0; i < RUNS; i++) {
    let ms = 0;
    resources = 0;
    for (let e = 0; e < size.envs; e++) {
      const t = performance.now();
      const r = spawnSync('kubectl', ['kustomize', join(dir, envName(e))], { encoding: 'utf8', maxBuffer: 1 << 30 });
      ms += performance.now() - t;
      if (r.status !== 0) throw new Error(`kubectl kustomize ${envName(e)} exited ${r.status}: ${r.stderr}`);
      resources += r.stdout.split(/^---$/m).length;
    }
    passes.push(ms);
    log(`  kustomize pass ${i + 1}: ${(ms / 1000).toFixed(2)} s for ${resources} resources`);
    if (ms > 20_000) break;
  }
  return { ms: median(passes), resources };
}

function table(r: BenchResult): string {
  const s = (x: number | null) => (x === null ? 'n/a' : x >= 10 ? `${x.toFixed(1)} s` : `${x.toFixed(2)} s`);
  const ratio = (x: number) => `${x.toFixed(1)}x`;
  const p = r.in_process;
  const rows: [string, string, string, string][] = [
    ['measure', 'result', 'target', 'how'],
    ['start-up: `gitops-bridge render --help`', s(r.cli_startup_s), '', 'CLI process'],
    ['full render, cold (no rendered/, no cache)', `${s(r.full_render_s)} (${s(p.full_render_s)})`, '<= 4 s', 'CLI process (inside it)'],
    ['no-op re-render', `${s(r.noop_render_s)} (${s(p.noop_render_s)})`, '<= 1 s', 'CLI process (inside it)'],
    ['re-render after one app changes', `${s(r.one_app_render_s)} (${s(p.one_app_render_s)})`, '<= 1 s', 'CLI process (inside it)'],
    ['check (rendered/ up to date)', `${s(r.check_s)} (${s(p.check_s)})`, '', 'CLI process (inside it)'],
    ['check --no-cache', s(r.check_no_cache_s), '', 'CLI process'],
    ['first commit to the rendered branch', s(r.commit_first_s), '', 'in-process (generators/git)'],
    ['one-app-change commit', s(r.commit_one_app_s), '<= 0.5 s', 'in-process (generators/git)'],
    ['peak RSS of the render processes', `${r.peak_rss_mb} MiB`, '<= 1024 MiB', 'CLI process'],
    [
      `kubectl kustomize, one process per environment${r.kustomize_resources !== null ? ` (${r.kustomize_resources} resources)` : ''}`,
      s(r.kustomize_s),
      '',
      r.kustomize_s === null ? (opts['no-kustomize'] ? 'skipped (--no-kustomize)' : 'kubectl not on PATH') : 'kubectl process per env, sequential',
    ],
    ['  Kustomize time / full render time', r.kustomize_s === null ? 'n/a' : ratio(r.kustomize_s / r.full_render_s), '>= 5x', ''],
    ['floor: same objects, YAML + file writes only', s(r.floor_s), '', 'in-process, one thread'],
    ['  full render / floor', ratio(r.full_render_s / r.floor_s), '<= 2x', ''],
    ['floor with js-yaml dump as the serialiser', s(r.floor_js_yaml_s), '', 'in-process, one thread'],
    ['  full render / that floor', ratio(r.full_render_s / r.floor_js_yaml_s), '', ''],
  ];
  if (r.growth_2x !== null) {
    rows.push([`full render, cold, ${r.apps * 2} apps`, s(r.full_render_2x_s), '', 'CLI process']);
    rows.push(['  growth for twice the apps', ratio(r.growth_2x), '<= 2.2x', '']);
  }
  const m = r.mix;
  if (m) {
    const q = m.in_process;
    const k = m.kustomize_share;
    const kubectlHow = k.kubectl_per_app_s === null ? 'kubectl not on PATH' : undefined;
    rows.push(
      [`mixed fleet: ${m.apps.spec} spec, ${m.apps.kustomize} Kustomize, ${m.apps.chart} chart apps, ${m.resources} resources`, '', '', ''],
      ['  full render, cold', `${s(m.full_render_s)} (${s(q.full_render_s)})`, '', 'CLI process (inside it)'],
      ['    mixed / spec-only fleet', ratio(m.full_render_vs_spec), '', 'medians, alternating runs'],
      ['  no-op re-render', `${s(m.noop_render_s)} (${s(q.noop_render_s)})`, '', 'CLI process (inside it)'],
      ['  re-render after one spec app changes', `${s(m.one_app_render_s)} (${s(q.one_app_render_s)})`, '', 'CLI process (inside it)'],
      ['  re-render after one Kustomize app changes', `${s(m.one_kustomize_app_render_s)} (${s(q.one_kustomize_app_render_s)})`, '', 'CLI process (inside it)'],
      ['  re-render after one chart app changes', `${s(m.one_chart_app_render_s)} (${s(q.one_chart_app_render_s)})`, '', 'CLI process (inside it)'],
      ['  check (rendered/ up to date)', `${s(m.check_s)} (${s(q.check_s)})`, '', 'CLI process (inside it)'],
      ['  peak RSS of the render processes', `${m.peak_rss_mb} MiB`, '', 'CLI process'],
      [`its ${k.apps} Kustomize apps x ${k.envs} environments, ${k.resources} resources`, '', '', ''],
      ['  gitops-bridge: render --app <them>, cold', `${s(k.render_s)} (${s(k.render_in_process_s)})`, '', 'CLI process (inside it)'],
      ['  gitops-bridge: their build alone', s(k.build_in_process_s), '', 'in-process, one thread'],
      ['  kubectl kustomize, one process per app and environment', s(k.kubectl_per_app_s), '', kubectlHow ?? 'sequential, one pass'],
      ['  kubectl kustomize, one process per environment', s(k.kubectl_per_env_s), '', kubectlHow ?? 'sequential'],
      ['    kubectl per app and env / gitops-bridge render', k.kubectl_per_app_s === null ? 'n/a' : ratio(k.kubectl_per_app_s / k.render_s), '', ''],
      ['    kubectl per environment / gitops-bridge render', k.kubectl_per_env_s === null ? 'n/a' : ratio(k.kubectl_per_env_s / k.render_s), '', ''],
      ['    kubectl per environment / gitops-bridge build alone', k.kubectl_per_env_s === null ? 'n/a' : ratio(k.kubectl_per_env_s / k.build_in_process_s), '', ''],
      ['  kubectl builds equal to gitops-bridge\'s build', k.kubectl_builds === null ? 'n/a' : `${k.kubectl_same} of ${k.kubectl_builds}`, '', 'object for object, same files'],
    );
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [
    `gitops-bridge bench: ${r.apps} apps x ${r.envs} environments, ${r.resources} resources; Node ${r.node}, ${r.cpus} CPUs${r.threads === null ? '' : `, ${r.threads} render thread${r.threads === 1 ? '' : 's'}`}; median of ${r.runs} runs; in ${r.work_dir}`,
    '',
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
  ].join('\n');
}

await main();
