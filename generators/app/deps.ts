/**
 * What the application layer's commands take and give: the request of a render, the explicit
 * dependencies every command runs with, and the render of the project they share. Types only.
 */
import type { CheckReport } from '../check/check.js';
import type { FileChanges } from '../engine/changes.js';
import type { ProgressMeter, RenderStats, RenderSummary } from '../engine/engine.js';
import type { Clock, RunCache, Workspace } from '../workspace/workspace.js';

/** What the caller asks of a render. */
export interface RenderRequest {
  /** --env and --app: only these environments and apps (checked against the fleet). */
  env?: string[];
  app?: string[];
  /** false (--no-cache): render every unit, and neither read nor write .cache/gitops-bridge/. */
  cache?: boolean;
  /** The caller will write rendered/: a first render then writes its files while it renders. */
  write?: boolean;
}

/** Phase timings (GITOPS_BRIDGE_TIMINGS). */
export interface PhaseTimer {
  phase(name: string): void;
}

/** What a command runs with: all of it explicit, so tests pass their own. */
export interface AppDeps {
  workspace: Workspace;
  clock: Clock;
  progress?: ProgressMeter;
  timer?: PhaseTimer;
  /** Threads to render on, this one included (default: GITOPS_BRIDGE_THREADS, else the cores less one). */
  threads?: number;
}

/** A render of the project, compared with rendered/: plain data apart from `cache`, which saveRun persists. */
export interface ProjectRender {
  summary: RenderSummary;
  /** Every file of the render: path under rendered/ -> blob id. */
  files: Map<string, string>;
  /** The contents of the files made in this run (a cached unit's are in rendered/: contentOf). */
  contents: Map<string, string>;
  changes: FileChanges;
  check: CheckReport;
  stats: RenderStats & { memo: boolean };
  /** A first render's tree, already written beside rendered/ (pass to Workspace.write). */
  staged?: string;
  /** What this run read from the cache and learnt, for Workspace.saveRun. */
  cache: RunCache;
  /** The outcome to keep in last-run.json (absent with --no-cache or when the last run's was reused). */
  outcome?: { key: string; run: { summary: RenderSummary; digest: string; check: CheckReport } };
}
