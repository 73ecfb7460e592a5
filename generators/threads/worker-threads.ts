/**
 * The render's worker threads, a tinypool pool of unit-worker.mjs, on their own so they can be
 * started before the generators are loaded in this thread: a first render starts them while it
 * loads its inputs. Light: no generator code here, and tinypool is loaded only when threads are
 * started (workers.ts hands them the work).
 */
import type { Tinypool } from 'tinypool';
import type { UnitResult } from '../engine/unit-group.js';
import type { UnitEnvironment, UnitInput } from '../engine/units.js';

/** What every worker gets when it starts (tinypool's workerData). */
export interface WorkerSetup {
  declaredSources: [string, string][];
  /** A first render's staging directory: the worker writes the files of the units it renders there. */
  stage?: string;
}

/** One task: groups of units of one environment (sent with them, so any worker can take it). */
export interface RenderTask {
  env: UnitEnvironment;
  groups: Omit<UnitInput, 'env'>[][];
}

/** Units rendered per worker start-up below which a worker costs more than it saves. */
const MIN_UNITS = 300;

/**
 * Threads to render on: GITOPS_BRIDGE_THREADS when set, else 1 (this thread only). Worker
 * threads are opt-in: each loads the generators, cdk8s and the models again and warms up its own
 * JIT and heap, and measured on 2 cores with a second thread forced on, a cold render of
 * 1000 apps x 3 environments took more time and about 1 s more CPU than with one thread (see
 * README, Performance). Where there are more cores, `npm run bench -- --threads N` measures
 * whether N threads pay before GITOPS_BRIDGE_THREADS=N turns them on.
 */
export function threadCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.GITOPS_BRIDGE_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** How many workers to start besides this thread, for `units` units. */
export function workersFor(units: number, options: { threads?: number; minUnits?: number } = {}): number {
  const threads = Math.max(1, options.threads ?? threadCount());
  const min = options.minUnits ?? MIN_UNITS;
  return units >= min ? Math.min(threads - 1, Math.floor(units / min)) : 0;
}

/**
 * `count` worker threads (none: no pool, tinypool not even loaded), started at once: each loads
 * the generators and builds its DeclaredSchemas from `setup` before its first task.
 */
export class RenderWorkers {
  private constructor(
    readonly count: number,
    private readonly pool: Promise<Tinypool> | undefined,
  ) {}

  static start(count: number, declaredSources: [string, string][], stage?: string): RenderWorkers {
    if (count <= 0) return new RenderWorkers(0, undefined);
    const workerData: WorkerSetup = { declaredSources, ...(stage !== undefined && { stage }) };
    const pool = import('tinypool').then(
      ({ Tinypool }) =>
        new Tinypool({
          filename: new URL('./unit-worker.mjs', import.meta.url).href,
          minThreads: count,
          maxThreads: count,
          // Two tasks queued in each worker: it never waits for this thread, busy rendering, to hand it the next.
          concurrentTasksPerWorker: 2,
          workerData,
          // Not this process's loader flags (tsx, a bench's hooks): unit-worker.mjs sets up its own.
          execArgv: [],
        }),
    );
    // A failure to start is reported by run(), not as an unhandled rejection now.
    pool.catch(() => undefined);
    return new RenderWorkers(count, pool);
  }

  /** Renders and checks a task on a worker. */
  async run(task: RenderTask): Promise<UnitResult[]> {
    if (!this.pool) throw new Error('internal error: no render worker threads');
    return (await (await this.pool).run(task)) as UnitResult[];
  }

  async close(): Promise<void> {
    await (await this.pool?.catch(() => undefined))?.destroy();
  }
}
