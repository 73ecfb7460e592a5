/**
 * `diff`: what a change does to the clusters, resource by resource, against a base (rendered/
 * at a git ref, or the rendered branch). The project is rendered through the engine, as render
 * and check render it (cache and check stage included); nothing is written under rendered/.
 */
import { readBase } from '../diff/base.js';
import { compareRendered } from '../diff/compare.js';
import type { DiffReport } from '../diff/model.js';
import { ownedBy } from '../engine/changes.js';
import { contentOf, renderProject, type AppDeps, type RenderRequest } from './render-project.js';

export interface DiffRequest extends Omit<RenderRequest, 'write'> {
  /** A git ref: rendered/ at it, or the root of the rendered branch. */
  base: string;
}

export async function diffCommand(request: DiffRequest, deps: AppDeps): Promise<DiffReport> {
  const release = await deps.workspace.lock('diff');
  try {
    const ws = deps.workspace;
    const run = await renderProject({ ...request, write: false }, deps);
    ws.saveRun(run.cache, deps.clock, run.outcome);
    const next = new Map([...run.files.keys()].map((path) => [path, contentOf(run, ws, path)]));
    const base = await readBase(ws.root, request.base, next);
    const owned = ownedBy(run.summary);
    return compareRendered({
      base: new Map([...base.files].filter(([path]) => owned(path))),
      next,
      tiers: new Map(Object.entries(run.summary.tiers)),
      baseInfo: base.info,
    });
  } finally {
    release();
  }
}
