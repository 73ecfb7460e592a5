/**
 * The part of renderProject that needs the generators: load the fleet, render it through the
 * engine (unit cache, executor), compare with rendered/ through its file index. Loaded on demand
 * (it brings cdk8s, ajv and the Kubernetes models), so a run that reuses the last outcome never
 * pays for it.
 */
import { CRDS_DIR, loadDeclaredSchemas } from '../check/declared-schemas.js';
import { compareFiles, ownedBy } from '../engine/changes.js';
import { renderFleet } from '../engine/engine.js';
import { planUnits } from '../engine/units.js';
import { loadFleet } from '../load/fleet.js';
import type { SourceSet } from '../load/sources.js';
import { pooledExecutor } from '../threads/workers.js';
import { RenderWorkers, workersFor } from '../threads/worker-threads.js';
import { chartFiles, compileCharts } from '../workspace/charts.js';
import { codeKey } from '../workspace/code-key.js';
import type { Stage } from '../workspace/stage.js';
import type { RunCache } from '../workspace/workspace.js';
import type { AppDeps, ProjectRender, RenderRequest } from './deps.js';
import { selectionOf } from './selection.js';

export async function renderSources(
  sources: SourceSet,
  request: RenderRequest,
  deps: AppDeps,
  cache: RunCache,
  stage: Stage | undefined,
): Promise<Omit<ProjectRender, 'cache' | 'staged' | 'outcome'>> {
  const ws = deps.workspace;
  const timer = deps.timer;
  const useCache = request.cache !== false;
  const declaredSources = [...sources].filter(([file]) => file.startsWith(`${CRDS_DIR}/`));
  // A cold render (no rendered/ or no cache) renders everything: workers, where there are cores
  // for them, start now and load the generators while this thread loads the fleet.
  const cold = !useCache || !ws.hasRendered || !ws.cache.has('units');
  const workers = cold ? RenderWorkers.start(workersFor(Number.MAX_SAFE_INTEGER, { ...(deps.threads !== undefined && { threads: deps.threads }) }), declaredSources, stage?.dir) : undefined;
  try {
    if (useCache) cache.parse = ws.parseCache();
    if (useCache) cache.charts = ws.chartCache();
    const charts = compileCharts(ws.root, chartFiles(sources.keys()), sources, cache.charts);
    const fleet = loadFleet(sources, { ...(cache.parse && { parseCache: cache.parse }), charts });
    const declared = loadDeclaredSchemas(sources);
    const selection = selectionOf(fleet, request);
    timer?.phase('load');

    const complete = !selection.environments && !selection.apps;
    const disk = ws.scanRendered(cache.rendered, complete ? undefined : planUnits(fleet, selection).plans.map((p) => p.unit));
    // A cached unit counts only while rendered/ holds its files: else it is rendered again, which
    // gives the contents to write, and proves the difference real rather than a record gone bad.
    if (useCache) cache.units = ws.unitCache((unit, record) => record.files.every(([name, hash]) => disk.get(`${unit}/${name}`)?.hash() === hash));
    timer?.phase('cache');

    const executor = pooledExecutor(declared, {
      declaredSources,
      ...(deps.threads !== undefined && { threads: deps.threads }),
      ...(stage && { stage }),
      ...(workers && { workers }),
    });
    const rendering = await renderFleet(fleet, selection, {
      executor,
      codeKey: codeKey(declaredSources),
      ...(cache.units && { cache: cache.units }),
      ...(declared && { declared }),
      ...(deps.progress && { progress: deps.progress }),
      ...(stage && { sink: stage }),
    });
    timer?.phase(`render (${rendering.stats.rendered} of ${rendering.stats.units} units rendered, ${executor.workersUsed} worker thread${executor.workersUsed === 1 ? '' : 's'})`);
    if (stage) {
      await stage.finish();
      timer?.phase('finish writing');
    }
    const changes = compareFiles(disk, rendering.files, rendering.contents, rendering);
    timer?.phase('compare');

    // The file index learns what was hashed this run, and forgets files no longer there.
    const owned = ownedBy(rendering);
    cache.rendered.retain((path) => !owned(path) || disk.has(path));
    for (const file of disk.values()) cache.rendered.recordScanned(file);

    const { units, complete: whole, environments, tiers, apps, deployments, objects } = rendering;
    return {
      summary: { units, complete: whole, environments, tiers, apps, deployments, objects },
      files: rendering.files,
      contents: rendering.contents,
      changes,
      check: rendering.check,
      stats: { ...rendering.stats, memo: false },
    };
  } finally {
    await workers?.close();
  }
}
