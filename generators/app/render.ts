/**
 * `render`: the project rendered through the engine and written into rendered/, all or nothing
 * (nothing at all when an input is invalid or a mandatory check fails). Returns what it did as
 * plain data; the CLI prints it.
 */
import type { CheckReport } from '../check/check.js';
import { hasChanges, type FileChanges } from '../engine/changes.js';
import type { RenderStats, RenderSummary } from '../engine/engine.js';
import { renderProject, type AppDeps, type RenderRequest } from './render-project.js';

export interface RenderCommandRequest extends Omit<RenderRequest, 'write'> {
  /** Show what would change, write nothing. */
  dryRun?: boolean;
}

export interface RenderOutcome {
  summary: RenderSummary;
  changes: FileChanges;
  check: CheckReport;
  stats: RenderStats & { memo: boolean };
  written: boolean;
}

export async function renderCommand(request: RenderCommandRequest, deps: AppDeps): Promise<RenderOutcome> {
  const release = await deps.workspace.lock('render');
  try {
    const write = !request.dryRun;
    const run = await renderProject({ ...request, write }, deps);
    if (write && (hasChanges(run.changes) || run.staged !== undefined)) {
      deps.workspace.write(run.changes, run.files, run.cache.rendered, run.staged);
      deps.timer?.phase('write rendered/');
    }
    deps.workspace.saveRun(run.cache, deps.clock, run.outcome);
    deps.timer?.phase('save cache');
    return { summary: run.summary, changes: run.changes, check: run.check, stats: run.stats, written: write };
  } finally {
    release();
  }
}
