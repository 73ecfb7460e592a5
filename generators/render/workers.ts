/**
 * Rendering on every core: the groups of units an incremental render needs go to a queue that
 * this thread and worker threads (unit-worker.mjs) drain together. Workers start only when there
 * is enough to render to repay their start-up (loading the generators, cdk8s and the models
 * again), and this thread starts rendering at once, so a worker joins as soon as it is ready.
 * Output does not depend on who rendered what: every unit's result is a function of its input,
 * and the caller puts them in render order. The I/O edge (threads) of the incremental render.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { renderGroup, type UnitResult } from './group.js';
import type { UnitExecutor } from './incremental.js';
import type { UnitInput } from './units.js';

export type WorkerRequest = { type: 'init'; declaredSources: [string, string][] } | { type: 'group'; id: number; inputs: UnitInput[] };
export type WorkerReply = { type: 'ready' } | { type: 'results'; id: number; results: UnitResult[] } | { type: 'fatal'; error: string };

export interface PoolOptions {
  /** Threads in all, this one included (default: the available parallelism). */
  threads?: number;
  /** Fewer units than this are rendered in this thread alone. */
  minUnits?: number;
}

/** Units rendered per worker start-up below which a worker costs more than it saves. */
const MIN_UNITS = 300;

export function pooledExecutor(declared: DeclaredSchemas | undefined, options: PoolOptions = {}): UnitExecutor & { workersUsed: number } {
  const executor = {
    workersUsed: 0,
    run: (groups: UnitInput[][], declaredSources: [string, string][], done: (results: UnitResult[]) => void) => {
      const total = groups.reduce((n, g) => n + g.length, 0);
      const threads = Math.max(1, options.threads ?? availableParallelism());
      const workers = total >= (options.minUnits ?? MIN_UNITS) ? Math.min(threads - 1, Math.floor(total / (options.minUnits ?? MIN_UNITS))) : 0;
      executor.workersUsed = workers;
      return runPool(groups, declaredSources, declared, workers, done);
    },
  };
  return executor;
}

async function runPool(groups: UnitInput[][], declaredSources: [string, string][], declared: DeclaredSchemas | undefined, workerCount: number, done: (results: UnitResult[]) => void): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  let next = 0;
  let failure: Error | undefined;
  const workers: Worker[] = [];
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
  for (let i = 0; i < workerCount; i++) {
    const worker = new Worker(new URL('./unit-worker.mjs', import.meta.url), { execArgv: [] });
    workers.push(worker);
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
    worker.postMessage({ type: 'init', declaredSources } satisfies WorkerRequest);
  }

  try {
    // This thread takes groups too, yielding between them so replies are handled.
    while (!failure && next < groups.length) {
      const group = groups[next++]!;
      const rendered = renderGroup(group, declared, false);
      results.push(...rendered);
      done(rendered);
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (!failure && [...inFlight.values()].some((n) => n > 0)) {
      await new Promise<void>((resolve) => (settle = resolve));
    }
    if (failure) throw failure;
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
