/**
 * A render worker thread (a tinypool worker, see worker-threads.ts): renders and checks the
 * groups of units of each task (engine/unit-group.ts) and returns their files, hashes, hub views and
 * findings (and writes the files, for a first render). Its DeclaredSchemas are built once, from
 * the schemas/crds/ sources of its workerData.
 */
import { Tinypool } from 'tinypool';
import { loadDeclaredSchemas } from '../check/declared-schemas.js';
import { renderGroup, type UnitResult } from '../engine/unit-group.js';
import type { RenderTask, WorkerSetup } from './worker-threads.js';
import { stageResults } from './workers.js';

const setup = Tinypool.workerData as WorkerSetup;
const declared = setup.declaredSources.length > 0 ? loadDeclaredSchemas(new Map(setup.declaredSources)) : undefined;

export default function renderTask(task: RenderTask): UnitResult[] {
  return task.groups.flatMap((group) => {
    const results = renderGroup(
      group.map((unit) => ({ ...unit, env: task.env })),
      declared,
      false,
    );
    // Written here; the contents need not travel back.
    if (setup.stage !== undefined) stageResults(setup.stage, results, true);
    return results;
  });
}
