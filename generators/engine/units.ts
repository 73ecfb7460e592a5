/**
 * Units: the directories of rendered/<env>/ (an app, `cluster-metadata`, `namespaces`), each
 * rendered on its own from plain data: its environment, and for an app its resolved instance.
 * That makes a unit the grain of the incremental cache (engine/engine.ts) and
 * of the executors (engine.ts). Pure.
 */
import jsonpatch from 'fast-json-patch';
import { withSyncWave } from '../argocd/sync-waves.js';
import { appObjects, type ChartApp, type ChartEnv } from '../charts/app-chart.js';
import { namespaceObjects } from '../charts/namespace-chart.js';
import { CLUSTER_SCOPED_KINDS, type KubeObject, type RenderedObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import type { AppInstance, EnvironmentInstance, Fleet, OverlayPatch } from '../load/fleet.js';
import { clusterMetadataObjects, CLUSTER_METADATA_NAME } from '../metadata/cluster-metadata.js';

export const NAMESPACES_UNIT = 'namespaces';

export interface Selection {
  environments?: string[];
  apps?: string[];
}

export function isSelected(selection: Selection, env: string, dir: string): boolean {
  if (selection.environments && !selection.environments.includes(env)) return false;
  if (selection.apps && !selection.apps.includes(dir)) return false;
  return true;
}

export type UnitKind = 'cluster-metadata' | 'namespaces' | 'app';

/** One unit to render: rendered/<env>/<dir>/. */
export interface UnitPlan {
  /** `<env>/<dir>`. */
  unit: string;
  env: string;
  dir: string;
  kind: UnitKind;
}

/** The units of a render, in render order (environments, then cluster-metadata, namespaces, apps by name). */
export function planUnits(fleet: Fleet, selection: Selection): { plans: UnitPlan[]; environments: string[] } {
  const plans: UnitPlan[] = [];
  const environments: string[] = [];
  for (const env of fleet.environments) {
    if (selection.environments && !selection.environments.includes(env.name)) continue;
    environments.push(env.name);
    const add = (dir: string, kind: UnitKind) => {
      if (isSelected(selection, env.name, dir)) plans.push({ unit: `${env.name}/${dir}`, env: env.name, dir, kind });
    };
    add(CLUSTER_METADATA_NAME, 'cluster-metadata');
    add(NAMESPACES_UNIT, 'namespaces');
    for (const app of env.apps) add(app.name, 'app');
  }
  return { plans, environments };
}

/** An environment as a unit reads it: plain data. */
export interface UnitEnvironment {
  name: string;
  spec: EnvironmentInstance['spec'];
  file: string;
  snapshotFile: string;
  outputs: Record<string, string>;
  /** Every app of the environment: names and namespaces (network policy peers), teams (namespace labels). */
  apps: { name: string; namespace: string; spec: { team: string } }[];
}

/** An overlay patch without its line locator (errors are located on the main thread, see engine.ts). */
export type UnitPatch = Omit<OverlayPatch, 'lineOf'> & { lineOf?: OverlayPatch['lineOf'] };

/** An app instance as its unit reads it: plain data. */
export interface UnitApp extends ChartApp {
  patches: UnitPatch[];
}

/** Everything one unit's output depends on (with the code that renders it). */
export interface UnitInput {
  plan: UnitPlan;
  env: UnitEnvironment;
  app?: UnitApp;
}

export function unitEnvironment(env: EnvironmentInstance): UnitEnvironment {
  return {
    name: env.name,
    spec: env.spec,
    file: env.file,
    snapshotFile: env.snapshotFile,
    outputs: env.outputs,
    apps: env.apps.map((a) => ({ name: a.name, namespace: a.namespace, spec: { team: a.spec.team } })),
  };
}

/** The plain-data input of each unit. `portable` drops the functions (line locators) for a structured clone. */
export function unitInputs(fleet: Fleet, plans: UnitPlan[], portable = false): UnitInput[] {
  const envs = new Map(fleet.environments.map((e) => [e.name, { apps: new Map(e.apps.map((a) => [a.name, a])), data: unitEnvironment(e) }]));
  return plans.map((plan) => {
    const env = envs.get(plan.env)!;
    if (plan.kind !== 'app') return { plan, env: env.data };
    return { plan, env: env.data, app: unitApp(env.apps.get(plan.dir)!, portable) };
  });
}

function unitApp(a: AppInstance, portable: boolean): UnitApp {
  return {
    name: a.name,
    environment: a.environment,
    source: a.source,
    namespace: a.namespace,
    spec: a.spec,
    files: a.files,
    patches: a.patches.map((p) => ({ target: p.target, operations: p.operations, file: p.file, pointer: p.pointer, ...(!portable && { lineOf: p.lineOf }) })),
  };
}

/** The objects of one unit, with their sync waves, before layout. */
export function renderUnitObjects(input: UnitInput): RenderedObject[] {
  const { env } = input;
  let objects: RenderedObject[];
  switch (input.plan.kind) {
    case 'cluster-metadata':
      objects = clusterMetadataObjects(env).map((object) => ({ object, source: env.snapshotFile }));
      break;
    case 'namespaces': {
      const namespaces = [...new Set(env.apps.map((a) => a.namespace))].sort(compareStrings);
      objects = namespaces.flatMap((ns) => namespaceObjects(ns, env).map((object) => ({ object, source: env.file })));
      break;
    }
    case 'app':
      objects = renderApp(input.app!, env);
      break;
  }
  // Argo CD sync waves (generators/argocd/sync-waves.ts), added to every unit alike.
  return objects.map((r) => ({ ...r, object: withSyncWave(r.object) }));
}

function renderApp(app: UnitApp, env: ChartEnv): RenderedObject[] {
  const objects = appObjects(app, env).map(normalise);
  applyPatches(app, objects);
  const base = app.files[0]!;
  return objects.map((object) => ({ object, source: base }));
}

/** Cluster-scoped kinds carry no namespace, whatever the chart's default. */
function normalise(object: KubeObject): KubeObject {
  if (CLUSTER_SCOPED_KINDS.has(object.kind) && object.metadata.namespace !== undefined) {
    const { namespace: _drop, ...metadata } = object.metadata;
    return { ...object, metadata: metadata as KubeObject['metadata'] };
  }
  return object;
}

/** JSON 6902 patches from the overlay: the escape hatch for what the spec does not model. */
function applyPatches(app: UnitApp, objects: KubeObject[]): void {
  for (const patch of app.patches) {
    const index = objects.findIndex((o) => o.kind === patch.target.kind && o.metadata.name === patch.target.name);
    if (index < 0) {
      throw new BridgeError({
        code: 'patch',
        message: `patch target ${patch.target.kind} "${patch.target.name}" is not among the objects rendered for ${app.name} in ${app.environment}`,
        file: patch.file,
        pointer: `${patch.pointer}/target`,
        line: patch.lineOf?.(`${patch.pointer}/target`),
        hint: `targets: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
      });
    }
    try {
      const result = jsonpatch.applyPatch(structuredClone(objects[index]!), patch.operations as jsonpatch.Operation[], true, false);
      objects[index] = result.newDocument as KubeObject;
    } catch (e) {
      const err = e as { message: string; index?: number };
      const at = err.index !== undefined ? `${patch.pointer}/operations/${err.index}` : patch.pointer;
      throw new BridgeError({
        code: 'patch',
        message: `patch on ${patch.target.kind} "${patch.target.name}" failed: ${err.message.split('\n')[0]}`,
        file: patch.file,
        pointer: at,
        line: patch.lineOf?.(at),
        hint: 'check the path against the rendered object (run `npm run render` without the patch and read the file)',
      });
    }
  }
}
