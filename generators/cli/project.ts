/** Shared by the commands: find the project, load it, render it, compare with rendered/. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkRendered, CheckFailed, type CheckReport } from '../check/check.js';
import { loadDeclaredSchemas } from '../check/declared-schemas.js';
import { BridgeError } from '../core/errors.js';
import { closest } from '../core/strings.js';
import { loadFleet, type Fleet } from '../load/fleet.js';
import { readSources } from '../load/sources.js';
import { renderFleet, type RenderResult, type Selection } from '../render/pipeline.js';
import { diffRendered, type FileChanges } from '../write/diff.js';
import { readRendered, renderedDir } from '../write/rendered-dir.js';

export interface CommonOptions {
  root?: string;
  env?: string[];
  app?: string[];
}

/** The project root: --root, or the nearest directory upwards holding manifests/ and package.json. */
export function findRoot(explicit?: string): string {
  if (explicit) {
    const root = resolve(explicit);
    if (!existsSync(join(root, 'manifests'))) {
      throw new BridgeError({ code: 'usage', message: `${root} has no manifests/ directory`, hint: 'point --root at a gitops-bridge project' });
    }
    return root;
  }
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'manifests')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new BridgeError({
    code: 'usage',
    message: 'no gitops-bridge project here: no directory with manifests/ and package.json above the working directory',
    hint: 'run the command inside the project, or pass --root <dir>',
  });
}

export interface RenderRun {
  root: string;
  fleet: Fleet;
  result: RenderResult;
  changes: FileChanges;
  /** The check stage's findings: advisory violations and the exemptions applied (mandatory ones throw). */
  check: CheckReport;
}

/**
 * Loads, renders and checks in memory, then compares with rendered/ on disk. Writes nothing.
 * Throws CheckFailed (with the report and the changes) when a mandatory policy or the
 * Kubernetes schema is violated, so nothing is written.
 */
export function renderProject(options: CommonOptions): RenderRun {
  const root = findRoot(options.root);
  const sources = readSources(root);
  const fleet = loadFleet(sources);
  const declared = loadDeclaredSchemas(sources);
  const selection = selectionOf(fleet, options);
  const result = renderFleet(fleet, selection);
  const check = checkRendered(result, fleet, declared);
  const changes = diffRendered(readRendered(renderedDir(root)), result);
  if (check.violations.some((v) => v.level === 'mandatory')) throw new CheckFailed(check, changes);
  return { root, fleet, result, changes, check };
}

/** Checks --env/--app against the fleet, so a typo is an error instead of an empty render. */
export function selectionOf(fleet: Fleet, options: CommonOptions): Selection {
  const envs = fleet.environments.map((e) => e.name);
  const apps = [...new Set(fleet.environments.flatMap((e) => e.apps.map((a) => a.name)))];
  for (const e of options.env ?? []) {
    if (!envs.includes(e)) throw unknownChoice('environment', e, envs);
  }
  for (const a of options.app ?? []) {
    if (!apps.includes(a) && a !== 'cluster-metadata' && a !== 'namespaces') throw unknownChoice('app', a, apps);
  }
  return {
    ...(options.env?.length && { environments: options.env }),
    ...(options.app?.length && { apps: options.app }),
  };
}

function unknownChoice(what: string, value: string, known: string[]): BridgeError {
  const guess = closest(value, known);
  return new BridgeError({
    code: 'usage',
    message: `unknown ${what} "${value}"`,
    hint: guess ? `did you mean "${guess}"?` : `known: ${known.join(', ')}`,
  });
}

/** Collects a repeatable, comma-separable option (--env dev --env prod, or --env dev,prod). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
