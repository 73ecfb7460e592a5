/**
 * The render's worker threads (unit-worker.mjs), on their own so they can be started before the
 * generators are loaded in this thread: a first render starts them while it loads its inputs.
 * Light: no generator code here (render/workers.ts runs the pool).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { UnitResult } from '../engine/unit-group.js';
import type { UnitEnvironment, UnitInput } from '../engine/units.js';

/**
 * To a worker: its set-up; an environment (sent once, before the first group of it: every
 * unit of an environment shares it, and it lists every app); a group of units (their plan and app,
 * the environment by name).
 */
export type WorkerRequest =
  | { type: 'init'; declaredSources: [string, string][]; stage?: string }
  | { type: 'env'; env: UnitEnvironment }
  | { type: 'group'; id: number; units: Omit<UnitInput, 'env'>[] };
export type WorkerReply = { type: 'ready' } | { type: 'results'; id: number; results: UnitResult[] } | { type: 'fatal'; error: string };

/** Units rendered per worker start-up below which a worker costs more than it saves. */
const MIN_UNITS = 300;

/**
 * Threads to render on: GITOPS_BRIDGE_THREADS when set (1: this thread only), else one fewer than
 * the cores. A render allocates at a great rate, and V8 collects garbage on threads of its own:
 * measured on 2 cores, a second render thread cost more (its start-up, its own JIT warm-up, and
 * both heaps' collectors fighting over the cores) than it gave; from 3 cores on, it pays.
 */
export function threadCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.GITOPS_BRIDGE_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : Math.max(1, availableParallelism() - 1);
}

/** How many workers to start besides this thread, for `units` units. */
export function workersFor(units: number, options: { threads?: number; minUnits?: number } = {}): number {
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

