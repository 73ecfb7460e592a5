/**
 * Units: the directories of rendered/<env>/ (an app, `cluster-metadata`, `namespaces`), each
 * rendered on its own from plain data: its environment, and for an app its resolved instance,
 * rendered by the app's source (generators/sources/: a spec, a Kustomize tree, a chart).
 * That makes a unit the grain of the incremental cache (engine/engine.ts) and
 * of the executors (engine.ts). Pure.
 */
import { routedIngresses, withSyncWave } from '../argocd/sync-waves.js';
import { namespaceObjects } from '../charts/namespace-chart.js';
import type { RenderedObject } from '../charts/object.js';
import { compareStrings } from '../core/strings.js';
import type { AppInstance, EnvironmentInstance, Fleet } from '../load/fleet.js';
import { clusterMetadataObjects, CLUSTER_METADATA_NAME } from '../metadata/cluster-metadata.js';
import { renderAppObjects, type UnitApp, type UnitEnvironment } from '../sources/index.js';

export type { UnitApp, UnitEnvironment, UnitPatch } from '../sources/index.js';

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
    apps: env.apps.map((a) => ({ name: a.name, namespace: a.namespace, ...(a.namespaceManaged === false && { namespaceManaged: false as const }), ...(a.team !== undefined && { team: a.team }) })),
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
  const { exemptions: _exemptions, ...rest } = a;
  if (rest.kind !== 'spec') return rest;
  return {
    kind: 'spec',
    name: a.name,
    environment: a.environment,
    source: a.source,
    namespace: a.namespace,
    spec: rest.spec,
    files: a.files,
    patches: rest.patches.map((p) => ({ target: p.target, operations: p.operations, file: p.file, pointer: p.pointer, ...(!portable && { lineOf: p.lineOf }) })),
    ...(!portable && rest.specOrigin && { specOrigin: rest.specOrigin }),
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
      // The namespaces gitops-bridge owns: not those its apps say are someone else's (load/namespaces.ts).
      const namespaces = [...new Set(env.apps.flatMap((a) => (a.namespaceManaged === false ? [] : [a.namespace])))].sort(compareStrings);
      objects = namespaces.flatMap((ns) => namespaceObjects(ns, env).map((object) => ({ object, source: env.file })));
      break;
    }
    case 'app':
      objects = renderAppObjects(input.app!, env);
      break;
  }
  // Argo CD sync waves (generators/argocd/sync-waves.ts), added to every unit alike.
  const routed = routedIngresses(objects.map((r) => r.object));
  return objects.map((r) => ({ ...r, object: withSyncWave(r.object, routed) }));
}

