/**
 * `check`: the project rendered through the engine and compared with rendered/, which it never
 * writes. Stale when rendered/ is not what `render` would write.
 */
import type { CheckReport } from '../check/check.js';
import { hasChanges, type FileChanges } from '../engine/changes.js';
import type { RenderSummary } from '../engine/engine.js';
import { renderProject, type AppDeps, type RenderRequest } from './render-project.js';

export interface CheckOutcome {
  summary: RenderSummary;
  changes: FileChanges;
  check: CheckReport;
  stale: boolean;
}

export async function checkCommand(request: Omit<RenderRequest, 'write'>, deps: AppDeps): Promise<CheckOutcome> {
  const release = await deps.workspace.lock('check');
  try {
    const run = await renderProject({ ...request, write: false }, deps);
    deps.workspace.saveRun(run.cache, deps.clock, run.outcome);
    deps.timer?.phase('save cache');
    return { summary: run.summary, changes: run.changes, check: run.check, stale: hasChanges(run.changes) };
  } finally {
    release();
  }
}
