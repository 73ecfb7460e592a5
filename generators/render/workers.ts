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
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { renderGroup, type UnitResult } from './group.js';
import type { UnitExecutor } from './incremental.js';
import type { UnitInput } from './units.js';
import { inside } from '../write/rendered-dir.js';

export type WorkerRequest = { type: 'init'; declaredSources: [string, string][]; stage?: string } | { type: 'group'; id: number; inputs: UnitInput[] };
export type WorkerReply = { type: 'ready' } | { type: 'results'; id: number; results: UnitResult[] } | { type: 'fatal'; error: string };

export interface PoolOptions {
  /** Threads in all, this one included (default: the available parallelism). */
  threads?: number;
  /** Fewer units than this are rendered in this thread alone. */
  minUnits?: number;
  /** Write each rendered unit's files into this directory (`<unit>/<file>`). */
  stage?: string;
  /** Workers started ahead (RenderWorkers.start), used instead of starting new ones. */
  workers?: RenderWorkers;
}

/** Units rendered per worker start-up below which a worker costs more than it saves. */
const MIN_UNITS = 300;

/** Threads to render on: GITOPS_BRIDGE_THREADS when set (1: this thread only), else one per core. */
export function threadCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.GITOPS_BRIDGE_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

/** How many workers to start besides this thread, for `units` units. */
export function workersFor(units: number, options: Pick<PoolOptions, 'threads' | 'minUnits'> = {}): number {
  const threads = Math.max(1, options.threads ?? threadCount());
  const min = options.minUnits ?? MIN_UNITS;
  return units >= min ? Math.min(threads - 1, Math.floor(units / min)) : 0;
}

/**
 * Worker threads, started ahead of the render that uses them: a first render starts them before
 * loading the fleet, so they load the generators while this thread loads the inputs.
 */
export class RenderWorkers {
  private constructor(readonly entries: { worker: Worker; ready: boolean }[]) {}

  static start(count: number, declaredSources: [string, string][], stage?: string): RenderWorkers {
    const entries = Array.from({ length: count }, () => {
      const worker = new Worker(new URL('./unit-worker.mjs', import.meta.url), { execArgv: [] });
      const entry = { worker, ready: false };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') entry.ready = true;
      });
      // An error before the render attaches its handlers must not crash the process: the render reports it.
      worker.on('error', () => undefined);
      worker.postMessage({ type: 'init', declaredSources, ...(stage !== undefined && { stage }) } satisfies WorkerRequest);
      return entry;
    });
    return new RenderWorkers(entries);
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.worker.terminate()));
  }
}

export function pooledExecutor(declared: DeclaredSchemas | undefined, options: PoolOptions = {}): UnitExecutor & { workersUsed: number } {
  const executor = {
    workersUsed: 0,
    run: async (groups: UnitInput[][], declaredSources: [string, string][], done: (results: UnitResult[]) => void) => {
      const total = groups.reduce((n, g) => n + g.length, 0);
      const workers = options.workers ?? RenderWorkers.start(workersFor(total, options), declaredSources, options.stage);
      executor.workersUsed = workers.entries.length;
      try {
        return await runPool(groups, declared, workers, done, options.stage);
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
  done: (results: UnitResult[]) => void,
  stage: string | undefined,
): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  let next = 0;
  let failure: Error | undefined;
  const inFlight = new Map<Worker, number>();
  let settle: (() => void) | undefined;
  const wake = () => settle?.();

  const dispatch = (worker: Worker) => {
    // Two groups in flight, so a worker never waits for this thread to hand it the next one.
    while (!failure && next < groups.length && (inFlight.get(worker) ?? 0) < 2) {
      const id = next++;
      inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
      worker.postMessage({ type: 'group', id, inputs: groups[id]! } satisfies WorkerRequest);
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
        done(reply.results);
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
    if (stage !== undefined) stageResults(stage, rendered);
    results.push(...rendered);
    done(rendered);
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (!failure && [...inFlight.values()].some((n) => n > 0)) {
    await new Promise<void>((resolve) => (settle = resolve));
  }
  if (failure) throw failure;
  return results;
}

/** Writes the files of rendered units under `stage` (synchronously: on a thread of its own, that is the fastest way). */
export function stageResults(stage: string, results: readonly UnitResult[]): void {
  for (const r of results) {
    if (!r.ok) continue;
    const dir = inside(stage, r.unit);
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of r.files) writeFileSync(inside(dir, name), content);
  }
}
