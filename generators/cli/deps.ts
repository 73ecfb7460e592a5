/**
 * The dependencies a command runs with, as the CLI gives them: the project found from --root or
 * the working directory, the system clock, a progress bar on a terminal and phase timings on
 * stderr with GITOPS_BRIDGE_TIMINGS=1. Tests call the application layer (generators/app/) with
 * their own.
 */
import type { AppDeps } from '../app/render-project.js';
import { systemClock, Workspace } from '../workspace/workspace.js';
import type { Io } from './io.js';
import { phaseTimer, progressBar, type Progress } from './progress.js';

export interface CommonOptions {
  root?: string;
  env?: string[];
  app?: string[];
}

/** The deps, and `done()` to call when the run ends (it erases the progress bar). */
export function cliDeps(options: { root?: string; quiet?: boolean; label: string }, io: Io): AppDeps & { done(): void } {
  const workspace = Workspace.find(options.root);
  const bar: Progress | undefined = options.quiet ? undefined : progressBar(options.label);
  const timing = phaseTimer(process.env, io.err);
  return {
    workspace,
    clock: systemClock,
    ...(bar && { progress: bar }),
    ...(timing && { timer: { phase: timing } }),
    done: () => bar?.finish(),
  };
}

/** Collects a repeatable, comma-separable option (--env dev --env prod, or --env dev,prod). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
