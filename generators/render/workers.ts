/**
 * Rendering on every core: the groups of units an incremental render needs go to a queue that
 * this thread and worker threads (unit-worker.mjs) drain together. Workers start only when there
 * is enough to render to repay their start-up (loading the generators, cdk8s and the models
 * again), and this thread starts rendering at once, so a worker joins as soon as it is ready.
 * Output does not depend on who rendered what: every unit's result is a function of its input,
 * and the caller puts them in render order. With `stage`, each thread also writes the files of
 * the units it renders into that directory (a first render's tree, see write/stage.ts), so the
 * writing is shared out too. The I/O edge (threads, files) of the incremental render.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { renderGroup, type UnitResult } from '../engine/unit-group.js';
import type { UnitExecutor, UnitProgress } from '../engine/engine.js';
import type { UnitInput } from '../engine/units.js';
import { inside } from '../workspace/rendered-writer.js';
import type { Stage } from '../workspace/stage.js';
import { RenderWorkers, workersFor, type WorkerReply, type WorkerRequest } from './worker-threads.js';

export { RenderWorkers, threadCount, workersFor, type WorkerReply, type WorkerRequest } from './worker-threads.js';

export interface PoolOptions {
  /** Threads in all, this one included (default: the available parallelism). */
  threads?: number;
  /** Fewer units than this are rendered in this thread alone. */
  minUnits?: number;
  /** A first render's staging: each rendered unit's files go there (`<unit>/<file>`). */
  stage?: Stage;
  /** Workers started ahead (RenderWorkers.start), used instead of starting new ones. */
  workers?: RenderWorkers;
  /** schemas/crds/ sources, from which workers build their own DeclaredSchemas. */
  declaredSources?: [string, string][];
}

export function pooledExecutor(declared: DeclaredSchemas | undefined, options: PoolOptions = {}): UnitExecutor & { workersUsed: number } {
  const executor = {
    workersUsed: 0,
    run: async (groups: UnitInput[][], progress: UnitProgress) => {
      const total = groups.reduce((n, g) => n + g.length, 0);
      const workers = options.workers ?? RenderWorkers.start(workersFor(total, options), options.declaredSources ?? [], options.stage?.dir);
      executor.workersUsed = workers.entries.length;
      try {
        return await runPool(groups, declared, workers, progress, options.stage);
      } finally {
        await workers.close();
      }
    },
  };
  return executor;
}

async function runPool(
  groups: UnitInput[][],
  declared: DeclaredSchemas | undefined,
  workers: RenderWorkers,
  progress: UnitProgress,
  stage: Stage | undefined,
): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  let next = 0;
  let failure: Error | undefined;
  const inFlight = new Map<Worker, number>();
  let settle: (() => void) | undefined;
  const wake = () => settle?.();

  const envsSent = new Map<Worker, Set<string>>();
  const dispatch = (worker: Worker) => {
    // Two groups in flight, so a worker never waits for this thread to hand it the next one.
    while (!failure && next < groups.length && (inFlight.get(worker) ?? 0) < 2) {
      const id = next++;
      inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
      const group = groups[id]!;
      const sent = envsSent.get(worker) ?? new Set<string>();
      envsSent.set(worker, sent);
      for (const input of group) {
        if (sent.has(input.env.name)) continue;
        sent.add(input.env.name);
        worker.postMessage({ type: 'env', env: input.env } satisfies WorkerRequest);
      }
      worker.postMessage({ type: 'group', id, units: group.map(({ env: _env, ...unit }) => unit) } satisfies WorkerRequest);
    }
  };
  for (const entry of workers.entries) {
    const { worker } = entry;
    inFlight.set(worker, 0);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') dispatch(worker);
      else if (reply.type === 'results') {
        results.push(...reply.results);
        inFlight.set(worker, inFlight.get(worker)! - 1);
        progress.unitsDone(reply.results);
        dispatch(worker);
      } else failure ??= new Error(`render worker failed: ${reply.error}`);
      wake();
    });
    worker.on('error', (e) => {
      failure ??= e;
      wake();
    });
    if (entry.ready) dispatch(worker);
  }

  // This thread takes groups too, yielding between them so replies are handled.
  while (!failure && next < groups.length) {
    const group = groups[next++]!;
    const rendered = renderGroup(group, declared, false);
    if (stage) {
      // To the writer thread; the contents are not needed here any more.
      for (const r of rendered) {
        if (r.errors) continue;
        for (const file of r.files) {
          stage.add(`${r.unit}/${file[0]}`, file[1]!);
          file[1] = null;
        }
      }
    }
    results.push(...rendered);
    progress.unitsDone(rendered);
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (!failure && [...inFlight.values()].some((n) => n > 0)) {
    await new Promise<void>((resolve) => (settle = resolve));
  }
  if (failure) throw failure;
  return results;
}

/**
 * Writes the files of rendered units under `stage` (synchronously: on a thread of its own, that
 * is the fastest way), and with `drop` lets go of their contents, which nothing needs any more.
 */
export function stageResults(stage: string, results: readonly UnitResult[], drop: boolean): void {
  for (const r of results) {
    if (r.errors) continue;
    const dir = inside(stage, r.unit);
    mkdirSync(dir, { recursive: true });
    for (const file of r.files) {
      writeFileSync(inside(dir, file[0]), file[1]!);
      if (drop) file[1] = null;
    }
  }
}
