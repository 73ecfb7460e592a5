/**
 * The render behind renderProject when the last run's outcome cannot be reused: load the fleet,
 * render incrementally (unit cache, worker threads), compare with rendered/ through its
 * manifest. Loaded on demand (it brings cdk8s, ajv and the generators).
 */
import { CheckFailed, type CheckReport } from '../check/check.js';
import { CRDS_DIR, loadDeclaredSchemas } from '../check/declared-schemas.js';
import { loadFleet } from '../load/fleet.js';
import type { SourceSet } from '../load/sources.js';
import { ParseCache, type ParseCacheEntries } from '../load/parse-cache.js';
import { codeKey, toolKey } from '../workspace/code-key.js';
import { renderIncremental } from '../engine/engine.js';
import type { RenderResult } from '../render/pipeline.js';
import { DiskUnitCache, ensureCacheDir } from '../workspace/unit-cache.js';
import { planUnits } from '../engine/units.js';
import type { RenderWorkers } from '../render/worker-threads.js';
import { pooledExecutor } from '../render/workers.js';
import { diffHashes, ownedBy } from '../engine/changes.js';
import { readJsonFile, writeJsonFile } from '../workspace/json-file.js';
import { renderedDir } from '../workspace/rendered-writer.js';
import { RenderedState, type TreeWalk } from '../workspace/file-index.js';
import type { Stage } from '../workspace/stage.js';
import { cacheFiles, selectionOf, type RenderOptions, type RenderRun } from './project.js';

/**
 * Renders `sources` (the project's input files) and compares with rendered/. `saved` runs after
 * the cache is saved (renderProject keeps the run's outcome there), only with the cache on.
 */
export async function renderSources(
  root: string,
  sources: SourceSet,
  options: RenderOptions,
  saved: (run: { result: RenderResult; hashes: Map<string, string>; check: CheckReport }) => void,
  ahead: { stage: Stage | undefined; workers: RenderWorkers | undefined; walk: TreeWalk | undefined },
): Promise<RenderRun> {
  const declaredSources = [...sources].filter(([file]) => file.startsWith(`${CRDS_DIR}/`));
  return renderWith(root, sources, options, saved, { declaredSources, ...ahead });
}

async function renderWith(
  root: string,
  sources: SourceSet,
  options: RenderOptions,
  saved: (run: { result: RenderResult; hashes: Map<string, string>; check: CheckReport }) => void,
  ahead: { declaredSources: [string, string][]; stage: Stage | undefined; workers: RenderWorkers | undefined; walk: TreeWalk | undefined },
): Promise<RenderRun> {
  const timing = options.timing ?? (() => undefined);
  const dir = renderedDir(root);
  const { declaredSources, stage } = ahead;
  const useCache = options.cache !== false;
  const parseCache = useCache ? readParseCache(cacheFiles(root).parsed) : undefined;
  const fleet = loadFleet(sources, { ...(parseCache && { parseCache }) });
  const declared = loadDeclaredSchemas(sources);
  const selection = selectionOf(fleet, options);
  timing('load');

  const manifest = cacheFiles(root).rendered;
  const state = useCache ? RenderedState.load(manifest) : RenderedState.empty();
  const complete = !selection.environments && !selection.apps;
  const walked = useCache ? await ahead.walk?.walked() : undefined;
  const disk = state.scan(dir, complete ? undefined : planUnits(fleet, selection).plans.map((p) => p.unit), undefined, walked);
  // A cached unit counts only while rendered/ holds its files: else it is rendered again, which
  // gives the contents to write, and proves the difference real rather than a record gone bad.
  const cache = useCache ? DiskUnitCache.load(root, (unit, record) => record.files.every(([name, hash]) => disk.get(`${unit}/${name}`)?.hash() === hash)) : undefined;
  timing('cache');

  const executor = pooledExecutor(declared, { ...(stage && { stage }), ...(ahead.workers && { workers: ahead.workers }) });
  const render = await renderIncremental(fleet, selection, {
    cache,
    codeKey: codeKey(declaredSources),
    executor,
    declared,
    declaredSources,
    progress: options.progress,
    ...(stage && { hubRendered: (path: string, content: string) => stage.add(path, content) }),
  });
  timing(`render (${render.stats.rendered} of ${render.stats.units} units rendered, ${executor.workersUsed} worker thread${executor.workersUsed === 1 ? '' : 's'})`);
  if (stage) {
    await stage.finish();
    timing('finish writing');
  }
  const changes = diffHashes(disk, render.hashes, render.result.files, render.result);
  timing('compare');

  const save = (written: boolean) => {
    if (!cache) return;
    try {
      ensureCacheDir(root);
      const owned = ownedBy(render.result);
      // Forget files no longer there, keep what was hashed this run, record what was written.
      state.retain((path) => !(complete || owned(path)) || disk.has(path));
      for (const file of disk.values()) state.recordScanned(file);
      if (written) {
        for (const path of changes.removed) state.forget(path);
        for (const path of [...changes.added, ...changes.changed]) state.record(dir, path, render.hashes.get(path)!);
      }
      state.save(manifest, Date.now());
      cache.save();
      if (parseCache?.dirty) writeJsonFile(cacheFiles(root).parsed, { version: PARSED_VERSION, key: toolKey(), entries: parseCache.toJSON() } satisfies ParsedFile);
      saved(render);
    } catch {
      // a read-only or full disk: the next run renders more, nothing else
    }
    timing('save cache');
  };
  const check = render.check;
  if (check.violations.some((v) => v.level === 'mandatory')) {
    stage?.discard();
    save(false);
    throw new CheckFailed(check, changes);
  }
  return { root, result: render.result, changes, check, stats: { ...render.stats, memo: false }, save, ...(stage && { staged: stage.dir }) };
}


/** .cache/gitops-bridge/parsed.json: the parse cache of the input files, under the code it was made by. */
interface ParsedFile {
  version: number;
  key: string;
  entries: ParseCacheEntries;
}
const PARSED_VERSION = 1;

/** The parse cache on disk, or an empty one when missing, corrupt, or made by other code. */
function readParseCache(file: string): ParseCache {
  const data = readJsonFile(file) as Partial<ParsedFile> | undefined;
  const usable = data?.version === PARSED_VERSION && data.key === toolKey() && typeof data.entries === 'object' && data.entries !== null;
  return new ParseCache(usable ? data.entries : {});
}
