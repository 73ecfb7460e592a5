/** Shared by the commands: find the project, load it, render it, compare with rendered/. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckFailed, type CheckReport } from '../check/check.js';
import { CRDS_DIR, loadDeclaredSchemas } from '../check/declared-schemas.js';
import { BridgeError } from '../core/errors.js';
import { closest } from '../core/strings.js';
import { loadFleet, type Fleet } from '../load/fleet.js';
import { readSources } from '../load/sources.js';
import { codeKey } from '../render/code-key.js';
import { renderIncremental, type IncrementalRender } from '../render/incremental.js';
import type { RenderResult, Selection } from '../render/pipeline.js';
import { cacheDir, DiskUnitCache, ensureCacheDir } from '../render/unit-cache.js';
import { planUnits } from '../render/units.js';
import { pooledExecutor } from '../render/workers.js';
import { diffHashes, ownedBy, type FileChanges } from '../write/diff.js';
import { recoverRendered, renderedDir } from '../write/rendered-dir.js';
import { RenderedState } from '../write/rendered-state.js';
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
  /** Units done out of the total, as the render goes (a progress bar). */
  progress?: (done: number, total: number) => void;
  /** Phase timings, for GITOPS_BRIDGE_TIMINGS. */
  timing?: (phase: string) => void;
}

export interface RenderRun {
  root: string;
  fleet: Fleet;
  /** The render; its `files` hold the contents of the units rendered in this run (cached units are not read). */
  result: RenderResult;
  changes: FileChanges;
  /** The check stage's findings: advisory violations and the exemptions applied (mandatory ones throw). */
  check: CheckReport;
  stats: IncrementalRender['stats'];
  /**
   * Saves the cache and the manifest of rendered/: after writeRendered(changes) when `written`.
   * Failing to save is not an error (the next run renders more).
   */
  save(written: boolean): void;
}

/**
 * Loads, renders and checks in memory, then compares with rendered/ on disk. Writes nothing.
 * Throws CheckFailed (with the report and the changes) when a mandatory policy or the
 * Kubernetes schema is violated, so nothing is written.
 *
 * Unchanged units come from the cache in .cache/gitops-bridge/ (see render/incremental.ts), the
 * others are rendered on every core; rendered/ is compared through its manifest of blob ids, so
 * only files whose stat changed since they were written are read.
 */
export async function renderProject(options: RenderOptions): Promise<RenderRun> {
  const timing = options.timing ?? (() => undefined);
  const root = findRoot(options.root);
  const dir = renderedDir(root);
  recoverRendered(dir);
  const sources = readSources(root);
  timing('read sources');
  const fleet = loadFleet(sources);
  const declared = loadDeclaredSchemas(sources);
  const declaredSources = [...sources].filter(([file]) => file.startsWith(`${CRDS_DIR}/`));
  const selection = selectionOf(fleet, options);
  timing('load');

  const useCache = options.cache !== false;
  const manifest = join(cacheDir(root), 'rendered.json');
  const state = useCache ? RenderedState.load(manifest) : RenderedState.empty();
  const complete = !selection.environments && !selection.apps;
  const disk = state.scan(dir, complete ? undefined : planUnits(fleet, selection).plans.map((p) => p.unit));
  // A cached unit counts only while rendered/ holds its files: else it is rendered again, which
  // gives the contents to write, and proves the difference real rather than a record gone bad.
  const cache = useCache ? DiskUnitCache.load(root, (unit, record) => record.files.every(([name, hash]) => disk.get(`${unit}/${name}`)?.hash() === hash)) : undefined;
  timing('cache');

  const executor = pooledExecutor(declared);
  const render = await renderIncremental(fleet, selection, { cache, codeKey: codeKey(declaredSources), executor, declared, declaredSources, progress: options.progress });
  timing(`render (${render.stats.rendered} of ${render.stats.units} units rendered, ${executor.workersUsed} worker thread${executor.workersUsed === 1 ? '' : 's'})`);
  const changes = diffHashes(disk, render.hashes, render.result.files, render.result);
  timing('compare');

  const save = (written: boolean) => {
    if (!cache) return;
    try {
      ensureCacheDir(root);
      const owned = ownedBy(render.result);
      const inScope = (path: string) => (complete ? true : owned(path));
      // Forget files no longer there, keep what was hashed this run, record what was written.
      state.retain((path) => !inScope(path) || disk.has(path));
      for (const file of disk.values()) state.recordScanned(file);
      if (written) {
        for (const path of changes.removed) state.forget(path);
        for (const path of [...changes.added, ...changes.changed]) state.record(dir, path, render.hashes.get(path)!);
      }
      state.save(manifest, Date.now());
      cache.save();
    } catch {
      // a read-only or full disk: the next run renders more, nothing else
    }
    timing('save cache');
  };
  const check = render.check;
  if (check.violations.some((v) => v.level === 'mandatory')) {
    save(false);
    throw new CheckFailed(check, changes);
  }
  return { root, fleet, result: render.result, changes, check, stats: render.stats, save };
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
