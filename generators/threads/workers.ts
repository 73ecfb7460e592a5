/**
 * Rendering on more than one core: the groups of units an incremental render needs are cut into
 * tasks (groups of one environment, about TASK_UNITS units), which this thread and the worker
 * threads (worker-threads.ts, a tinypool pool) take in turn from one list; this thread starts
 * rendering at once, so a worker joins as soon as it is ready. Output does not depend on who
 * rendered what: every unit's result is a function of its input, and the caller puts them in
 * render order. With `stage`, each thread also writes the files of the units it renders into
 * that directory (a first render's tree, see workspace/stage.ts), so the writing is shared out too.
 * An executor of the engine (engine/engine.ts UnitExecutor); the I/O edge of threads and files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import type { UnitExecutor, UnitProgress } from '../engine/engine.js';
import { renderGroup, type UnitResult } from '../engine/unit-group.js';
import type { UnitInput } from '../engine/units.js';
import { inside } from '../workspace/rendered-writer.js';
import type { Stage } from '../workspace/stage.js';
import { RenderWorkers, workersFor, type RenderTask } from './worker-threads.js';

export { RenderWorkers, threadCount, workersFor, type RenderTask, type WorkerSetup } from './worker-threads.js';

/** Units per task: enough that sending the environment with each costs little, few enough to share the end of the work out evenly. */
const TASK_UNITS = 24;

export interface PoolOptions {
  /** Threads in all, this one included (default: GITOPS_BRIDGE_THREADS, else 1). */
  threads?: number;
  /** Fewer units than this per worker are rendered in this thread alone. */
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
      executor.workersUsed = workers.count;
      try {
        return await runTasks(tasksOf(groups), declared, workers, progress, options.stage);
      } finally {
        await workers.close();
      }
    },
  };
  return executor;
}

/** Consecutive groups of one environment, about TASK_UNITS units a task (a group is never split: sibling lookups look inside it). */
function tasksOf(groups: UnitInput[][]): RenderTask[] {
  const tasks: RenderTask[] = [];
  let task: RenderTask | undefined;
  let units = 0;
  for (const group of groups) {
    const env = group[0]!.env;
    if (!task || task.env !== env || units >= TASK_UNITS) {
      task = { env, groups: [] };
      tasks.push(task);
      units = 0;
    }
    task.groups.push(group.map(({ env: _env, ...unit }) => unit));
    units += group.length;
  }
  return tasks;
}

async function runTasks(tasks: RenderTask[], declared: DeclaredSchemas | undefined, workers: RenderWorkers, progress: UnitProgress, stage: Stage | undefined): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  let next = 0;
  let failed = false;
  const take = () => (failed || next >= tasks.length ? undefined : tasks[next++]);
  const finished = (rendered: UnitResult[]) => {
    results.push(...rendered);
    progress.unitsDone(rendered);
  };
  // Two takers per worker, matching the two tasks tinypool queues in each.
  const viaWorkers = Array.from({ length: workers.count * 2 }, async () => {
    for (let task = take(); task; task = take()) {
      try {
        finished(await workers.run(task));
      } catch (e) {
        failed = true;
        throw new Error(`render worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
      }
    }
  });
  const here = (async () => {
    for (let task = take(); task; task = take()) {
      for (const units of task.groups) {
        const rendered = renderGroup(
          units.map((unit) => ({ ...unit, env: task.env })),
          declared,
          false,
        );
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
        finished(rendered);
        // Replies from the workers are handled, and they are handed their next tasks, in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  })();
  try {
    await Promise.all([here, ...viaWorkers]);
  } catch (e) {
    failed = true;
    // Every taker stopped before the caller closes the pool.
    await Promise.allSettled([here, ...viaWorkers]);
    throw e;
  }
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
