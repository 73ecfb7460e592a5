/**
 * Rendering the project as every command needs it: the workspace's inputs through the engine,
 * compared with rendered/. Writes nothing under rendered/; the command decides what to do with
 * the outcome (render writes it, check compares, diff reads, rendered-commit refuses a stale
 * tree), then hands the run's cache back to the workspace (Workspace.saveRun).
 *
 * Start-up matters (every `npm run render` pays it), so the engine and the generators (cdk8s,
 * ajv, the models) are loaded only when something must be rendered: when the code, every input
 * file and the selection are what the last run saw (the input file index vouches for them by
 * their stats) and rendered/ still holds what it made, its outcome is reused as it is.
 */
import { CheckFailed } from '../check/check.js';
import { blobId, digestOf } from '../core/hash.js';
import { compareStrings } from '../core/strings.js';
import { ownedBy, type FileChanges } from '../engine/changes.js';
import { toolKey } from '../workspace/code-key.js';
import { digestOfFiles, type InputScan, type RunCache, type Workspace } from '../workspace/workspace.js';
import type { Stage } from '../workspace/stage.js';
import type { AppDeps, ProjectRender, RenderRequest } from './deps.js';

export type { AppDeps, PhaseTimer, ProjectRender, RenderRequest } from './deps.js';

/**
 * Loads, renders and checks in memory, then compares with rendered/ on disk. Writes nothing
 * under rendered/. Throws CheckFailed (with the report and the changes) when a mandatory policy
 * or the Kubernetes schema is violated, having saved the cache.
 */
export async function renderProject(request: RenderRequest, deps: AppDeps): Promise<ProjectRender> {
  const ws = deps.workspace;
  ws.recover();
  const useCache = request.cache !== false;
  const cache = ws.openRunCache(useCache);
  const scan = useCache ? ws.scanInputs(cache.inputs) : undefined;
  // The run's key, from the scan's blob ids (vouched for by their stats) when it stands for the inputs.
  const key = scan?.plain ? runKeyOf(request, [...scan.files.keys()].sort(compareStrings).map((p) => [p, scan.files.get(p)!.hash()])) : undefined;
  deps.timer?.phase('scan sources');
  const reused = scan && key !== undefined ? lastOutcome(key, deps, cache, scan) : undefined;
  if (reused) return reused;
  return await renderAfresh(request, deps, cache, scan);
}

/** What a run's outcome is keyed on: the code, the selection, every input file (path, blob id). */
function runKeyOf(request: RenderRequest, files: [string, string][]): string {
  return digestOf([toolKey(), JSON.stringify([request.env ?? null, request.app ?? null]), ...files.flat()]);
}

/** The last run's outcome when code, inputs and selection are unchanged and rendered/ holds what it made. */
function lastOutcome(key: string, deps: AppDeps, cache: RunCache, scan: InputScan): ProjectRender | undefined {
  const ws = deps.workspace;
  for (const file of scan.files.values()) cache.inputs.recordScanned(file);
  const last = ws.lastRun(key);
  if (!last) return undefined;
  const disk = ws.scanRendered(cache.rendered, last.summary.complete ? undefined : [...last.summary.units]);
  const same = digestOfFiles(disk.keys(), (p) => disk.get(p)!.hash(), last.summary) === last.digest;
  deps.timer?.phase('compare with the last run');
  if (!same) return undefined;
  for (const file of disk.values()) cache.rendered.recordScanned(file);
  const changes: FileChanges = { added: [], changed: [], removed: [], unchanged: last.summary.objects, contents: new Map() };
  let files: Map<string, string> | undefined;
  const run: ProjectRender = {
    summary: last.summary,
    // rendered/ is what the last run made: its files, listed only for a command that asks (diff, rendered-commit).
    get files() {
      return (files ??= new Map([...disk.keys()].filter(ownedBy(last.summary)).sort(compareStrings).map((p) => [p, disk.get(p)!.hash()])));
    },
    contents: new Map(),
    changes,
    check: last.check,
    stats: { units: last.summary.units.size, cached: 0, rendered: 0, rechecked: 0, hubCached: true, memo: true },
    cache,
  };
  refuseViolations(run, deps);
  return run;
}

async function renderAfresh(request: RenderRequest, deps: AppDeps, cache: RunCache, scan: InputScan | undefined): Promise<ProjectRender> {
  const ws = deps.workspace;
  const timer = deps.timer;
  const useCache = request.cache !== false;
  const sources = ws.readInputs(scan);
  timer?.phase('read sources');

  // A first render (no rendered/) writes its files while it renders, into the tree
  // Workspace.write renames into place.
  const complete = !request.env?.length && !request.app?.length;
  const stage: Stage | undefined = request.write && complete && !ws.hasRendered ? ws.stage() : undefined;
  try {
    const { renderSources } = await import('./render-sources.js');
    timer?.phase('load the generators');
    const rendering = await renderSources(sources, request, deps, cache, stage);
    // Kept under the key of the texts it was rendered from (read just now: a file edited since the
    // scan must not lend its old id to this outcome).
    const key = useCache ? runKeyOf(request, [...sources].map(([path, text]) => [path, blobId(text)])) : undefined;
    const run: ProjectRender = {
      ...rendering,
      ...(stage && { staged: stage.dir }),
      cache,
      ...(key !== undefined && { outcome: { key, run: { summary: rendering.summary, digest: digestOfFiles(rendering.files.keys(), (p) => rendering.files.get(p)!, rendering.summary), check: rendering.check } } }),
    };
    refuseViolations(run, deps);
    return run;
  } catch (e) {
    stage?.discard();
    throw e;
  }
}

/** Mandatory violations: the cache is saved (what was learnt stays learnt), and the run refused. */
function refuseViolations(run: ProjectRender, deps: AppDeps): void {
  if (!run.check.violations.some((v) => v.level === 'mandatory')) return;
  deps.workspace.saveRun(run.cache, deps.clock, run.outcome);
  throw new CheckFailed(run.check, run.changes);
}

/** A file's content: made in this run, or (a cached unit's) read from rendered/ and checked against its blob id. */
export function contentOf(run: Pick<ProjectRender, 'files' | 'contents'>, ws: Workspace, path: string): string {
  const made = run.contents.get(path);
  if (made !== undefined) return made;
  const id = run.files.get(path);
  if (id === undefined) throw new Error(`internal error: ${path} is not a file of the render`);
  return ws.readRendered(path, id);
}
