/**
 * Shared by the commands: find the project, load it, render it, compare with rendered/.
 *
 * Start-up matters (every `npm run render` pays it), so this module stays light: when the last
 * run saw the same code, inputs and selection, its outcome is reused without loading the fleet
 * or the generators at all; otherwise render-run.ts (cdk8s, ajv, the models) is loaded.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckFailed, type CheckReport } from '../check/check.js';
import { BridgeError } from '../core/errors.js';
import { blobId, digestOf } from '../core/hash.js';
import { closest, compareStrings } from '../core/strings.js';
import type { Fleet } from '../load/fleet.js';
import { INPUT_DIRS, readSources } from '../load/sources.js';
import { toolKey } from '../workspace/code-key.js';
import type { IncrementalRender } from '../engine/engine.js';
import type { RenderResult, Selection } from '../render/pipeline.js';
import { cacheDir } from '../workspace/unit-cache.js';
import { RenderWorkers, workersFor } from '../render/worker-threads.js';
import { ownedBy, type FileChanges } from '../engine/changes.js';
import { readJsonFile, writeJsonFile } from '../workspace/json-file.js';
import { recoverRendered, renderedDir } from '../workspace/rendered-writer.js';
import { NOT_A_FILE, RenderedState, TreeWalk, type DiskFile } from '../workspace/file-index.js';
import { Stage } from '../workspace/stage.js';
import type { Io } from './main.js';
import { phaseTimer, progressBar } from './progress.js';

export interface CommonOptions {
  root?: string;
  env?: string[];
  app?: string[];
}

/** The project root: --root, or the nearest directory upwards holding manifests/ and package.json. */
export function findRoot(explicit?: string): string {
  if (explicit) {
    const root = resolve(explicit);
    if (!existsSync(join(root, 'manifests'))) {
      throw new BridgeError({ code: 'usage', message: `${root} has no manifests/ directory`, hint: 'point --root at a gitops-bridge project' });
    }
    return root;
  }
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'manifests')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new BridgeError({
    code: 'usage',
    message: 'no gitops-bridge project here: no directory with manifests/ and package.json above the working directory',
    hint: 'run the command inside the project, or pass --root <dir>',
  });
}

export interface RenderOptions extends CommonOptions {
  /** false (--no-cache): render every unit, and neither read nor write .cache/gitops-bridge/. */
  cache?: boolean;
  /** The caller writes rendered/ afterwards (so it needs the contents of what changed). */
  write?: boolean;
  /** Units done out of the total, as the render goes (a progress bar). */
  progress?: (done: number, total: number) => void;
  /** Phase timings, for GITOPS_BRIDGE_TIMINGS. */
  timing?: (phase: string) => void;
}

export interface RenderRun {
  root: string;
  /** The render; its `files` hold the contents of the units rendered in this run (cached units are not read). */
  result: RenderResult;
  changes: FileChanges;
  /** The check stage's findings: advisory violations and the exemptions applied (mandatory ones throw). */
  check: CheckReport;
  /** Units rendered and taken from the cache; `memo` when the whole run was the last one's (nothing changed). */
  stats: IncrementalRender['stats'] & { memo: boolean };
  /**
   * Saves the cache and the manifests: after writeRendered(changes) when `written`. Failing to
   * save is not an error (the next run does more work).
   */
  save(written: boolean): void;
  /** A first render's files, already written beside rendered/ (pass to writeRendered). */
  staged?: string;
}

/** Where the cache keeps what it knows about the project. */
export function cacheFiles(root: string) {
  const dir = cacheDir(root);
  return { rendered: join(dir, 'rendered.json'), sources: join(dir, 'sources.json'), lastRun: join(dir, 'last-run.json'), parsed: join(dir, 'parsed.json') };
}

/** The files readSources reads, as a scan of the input directories lists them. */
const acceptSource = (name: string, kind: 'file' | 'dir' | 'other') => !name.startsWith('.') && (kind !== 'file' || /\.(ya?ml|json)$/.test(name));

/**
 * What the last run's outcome is keyed on: the code, the selection, every input file. When an
 * input is not a plain file (a symbolic link), the scan cannot stand for readSources: undefined.
 */
function runKeyOf(options: CommonOptions, files: [string, string][]): string {
  return digestOf([toolKey(), JSON.stringify([options.env ?? null, options.app ?? null]), ...files.flat()]);
}

/**
 * Loads, renders and checks in memory, then compares with rendered/ on disk. Writes nothing.
 * Throws CheckFailed (with the report and the changes) when a mandatory policy or the
 * Kubernetes schema is violated, so nothing is written.
 *
 * With the cache (.cache/gitops-bridge/): when the code, every input file and the selection are
 * what the last run saw (their stats vouch for them, see write/rendered-state.ts), its outcome is
 * reused (last-run.json) and only rendered/ is looked at; otherwise render-run.ts renders, taking
 * unchanged units from the unit cache and rendering the others on every core. rendered/ is
 * compared through its manifest of blob ids, so only files whose stat changed are read.
 */
export async function renderProject(options: RenderOptions): Promise<RenderRun> {
  const root = findRoot(options.root);
  const dir = renderedDir(root);
  recoverRendered(dir);
  // rendered/ is listed on the other core meanwhile (rendered-state.ts TreeWalk).
  const walk = options.cache !== false && existsSync(dir) ? new TreeWalk(dir) : undefined;
  try {
    return await renderWithWalk(options, root, dir, walk);
  } finally {
    await walk?.close();
  }
}

async function renderWithWalk(options: RenderOptions, root: string, dir: string, walk: TreeWalk | undefined): Promise<RenderRun> {
  const timing = options.timing ?? (() => undefined);
  const useCache = options.cache !== false;
  const files = cacheFiles(root);

  let sourceState: RenderedState | undefined;
  let scanned: Map<string, DiskFile> | undefined;
  let plain = false;
  if (useCache) {
    sourceState = RenderedState.load(files.sources);
    scanned = sourceState.scan(root, INPUT_DIRS, acceptSource);
    plain = [...scanned.values()].every((f) => f.hashed !== NOT_A_FILE);
    const key = plain ? runKeyOf(options, [...scanned.keys()].sort(compareStrings).map((p) => [p, scanned!.get(p)!.hash()])) : undefined;
    timing('scan sources');
    const last = key === undefined ? undefined : readLastRun(files.lastRun, key);
    if (last) {
      const state = RenderedState.load(files.rendered);
      const disk = state.scan(dir, last.result.complete ? undefined : [...last.result.units], undefined, await walk?.walked());
      const same = digestOfFiles(disk, last.result) === last.digest;
      timing('compare with the last run');
      if (same) {
        const save = () => {
          try {
            for (const file of disk.values()) state.recordScanned(file);
            state.save(files.rendered, Date.now());
            for (const file of scanned!.values()) sourceState!.recordScanned(file);
            sourceState!.save(files.sources, Date.now());
          } catch {
            // the next run hashes a few files again, nothing else
          }
        };
        const changes: FileChanges = { added: [], changed: [], removed: [], unchanged: last.result.objects, contents: new Map() };
        if (last.check.violations.some((v) => v.level === 'mandatory')) {
          save();
          throw new CheckFailed(last.check, changes);
        }
        return { root, result: last.result, changes, check: last.check, stats: { units: last.result.units.size, cached: 0, rendered: 0, rechecked: 0, hubCached: true, memo: true }, save };
      }
    }
  }

  // The input files: read from the scan (one read each) when it stands for readSources.
  const sources = plain ? new Map([...scanned!.keys()].sort(compareStrings).map((p) => [p, scanned!.get(p)!.text()])) : readSources(root);
  timing('read sources');

  // A first render (no rendered/) writes its files while it renders, into the tree writeRendered
  // renames into place; likely to render everything (no rendered/, no cache), it starts the
  // worker threads now, so they load the generators while this thread does.
  const complete = !options.env?.length && !options.app?.length;
  const stage = options.write && complete && !existsSync(dir) ? new Stage(`${dir}.tmp-${process.pid}`) : undefined;
  const cold = !useCache || !existsSync(dir) || !existsSync(join(cacheDir(root), 'units.json'));
  const declaredSources = [...sources].filter(([file]) => file.startsWith('schemas/crds/'));
  const workers = cold ? RenderWorkers.start(workersFor(Number.MAX_SAFE_INTEGER), declaredSources, stage?.dir) : undefined;
  try {
    const { renderSources } = await import('./render-run.js');
    timing('load the generators');
    // The outcome is kept under the key of the sources it was rendered from (read just now).
    const key = useCache ? runKeyOf(options, [...sources].map(([path, text]) => [path, blobId(text)])) : '';
    const save = (run: { result: RenderResult; hashes: Map<string, string>; check: CheckReport }) => {
      for (const file of scanned!.values()) sourceState!.recordScanned(file);
      sourceState!.save(files.sources, Date.now());
      writeLastRun(files.lastRun, key, run);
    };
    return await renderSources(root, sources, options, save, { stage, workers, walk });
  } catch (e) {
    stage?.discard();
    throw e;
  } finally {
    await workers?.close();
  }
}

/** A digest of the files of rendered/ a render owns (path and blob id, in path order). */
function digestOfFiles(files: ReadonlyMap<string, { hash(): string }>, result: Pick<RenderResult, 'complete' | 'units' | 'environments'>): string {
  const owned = ownedBy(result);
  const paths = [...files.keys()].filter(owned).sort(compareStrings);
  return digestOf(paths.flatMap((p) => [p, files.get(p)!.hash()]));
}

/** The outcome of the last run, as last-run.json keeps it. */
interface LastRun {
  result: RenderResult;
  /** digestOfFiles of what it rendered. */
  digest: string;
  check: CheckReport;
}

interface LastRunFile {
  version: 2;
  key: string;
  result: Omit<RenderResult, 'files' | 'rendered' | 'units'> & { units: string[] };
  digest: string;
  check: CheckReport;
}

/** The last run's outcome if it was made from `key` (same code, inputs and selection); else undefined. */
function readLastRun(file: string, key: string): LastRun | undefined {
  const data = readJsonFile(file) as LastRunFile | undefined;
  if (!data || data.version !== 2 || data.key !== key) return undefined;
  const r = data.result;
  const ok =
    typeof r === 'object' && r !== null && Array.isArray(r.units) && typeof r.complete === 'boolean' && Array.isArray(r.environments) &&
    [r.apps, r.deployments, r.objects].every((n) => typeof n === 'number') &&
    typeof data.digest === 'string' &&
    typeof data.check === 'object' && data.check !== null && Array.isArray(data.check.violations) && Array.isArray(data.check.exemptionsApplied) && typeof data.check.objects === 'number';
  if (!ok) return undefined;
  return { result: { ...r, units: new Set(r.units), files: new Map() }, digest: data.digest, check: data.check };
}

/** Keeps a run's outcome: its render (without contents), a digest of its files, its check report. */
function writeLastRun(file: string, key: string, run: { result: RenderResult; hashes: Map<string, string>; check: CheckReport }): void {
  const { files: _files, rendered: _rendered, units, ...result } = run.result;
  const digest = digestOfFiles(new Map([...run.hashes].map(([p, h]) => [p, { hash: () => h }])), run.result);
  writeJsonFile(file, { version: 2, key, result: { ...result, units: [...units] }, digest, check: run.check } satisfies LastRunFile);
}

/**
 * renderProject as the commands run it: a progress bar on a terminal (not with `quiet`), phase
 * timings on stderr with GITOPS_BRIDGE_TIMINGS=1.
 */
export async function renderWithFeedback(options: RenderOptions & { quiet?: boolean }, io: Io, label = 'rendering'): Promise<RenderRun> {
  const bar = options.quiet ? undefined : progressBar(label);
  const timing = phaseTimer(process.env, io.err);
  try {
    return await renderProject({ ...options, ...(bar && { progress: (done, total) => bar.update(done, total) }), ...(timing && { timing }) });
  } finally {
    bar?.finish();
  }
}

/** Checks --env/--app against the fleet, so a typo is an error instead of an empty render. */
export function selectionOf(fleet: Fleet, options: CommonOptions): Selection {
  const envs = fleet.environments.map((e) => e.name);
  const apps = [...new Set(fleet.environments.flatMap((e) => e.apps.map((a) => a.name)))];
  for (const e of options.env ?? []) {
    if (!envs.includes(e)) throw unknownChoice('environment', e, envs);
  }
  for (const a of options.app ?? []) {
    if (!apps.includes(a) && a !== 'cluster-metadata' && a !== 'namespaces') throw unknownChoice('app', a, apps);
  }
  return {
    ...(options.env?.length && { environments: options.env }),
    ...(options.app?.length && { apps: options.app }),
  };
}

function unknownChoice(what: string, value: string, known: string[]): BridgeError {
  const guess = closest(value, known);
  return new BridgeError({
    code: 'usage',
    message: `unknown ${what} "${value}"`,
    hint: guess ? `did you mean "${guess}"?` : `known: ${known.join(', ')}`,
  });
}

/** Collects a repeatable, comma-separable option (--env dev --env prod, or --env dev,prod). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
