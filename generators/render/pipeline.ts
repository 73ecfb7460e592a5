/**
 * Fleet in, rendered files out: generate every unit's objects, apply overlay patches, lay them
 * out one object per file and serialise them. Pure: no disk, no clock, no git.
 */
import jsonpatch from 'fast-json-patch';
import { ARGOCD_UNIT, argocdObjects, withSyncWave, type RenderedUnit } from '../argocd/index.js';
import { appObjects } from '../charts/app-chart.js';
import { namespaceObjects } from '../charts/namespace-chart.js';
import { CLUSTER_SCOPED_KINDS, type KubeObject } from '../charts/object.js';
import { BridgeError, ErrorSink } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import type { AppInstance, EnvironmentInstance, Fleet } from '../load/fleet.js';
import { clusterMetadataObjects, CLUSTER_METADATA_NAME } from '../metadata/cluster-metadata.js';
import { layoutUnit } from '../write/layout.js';
import { toYaml } from '../write/yaml.js';

export const NAMESPACES_UNIT = 'namespaces';

export interface Selection {
  environments?: string[];
  apps?: string[];
}

export interface RenderedObject {
  object: KubeObject;
  /** The spec file that produced it, for error messages and reviews. */
  source: string;
}

export interface RenderResult {
  /** Path under rendered/ -> file content. */
  files: Map<string, string>;
  /** The units (directories under rendered/) this render owns; files outside them are left alone. */
  units: Set<string>;
  /** Whether the whole of rendered/ was rendered (no filter): then every other file is stale. */
  complete: boolean;
  environments: string[];
  /** Distinct apps rendered, and app deployments (an app in one environment). */
  apps: number;
  deployments: number;
  objects: number;
  /** Path under rendered/ -> the object in it and the spec file that produced it (for the check stage, without re-parsing). */
  rendered?: Map<string, RenderedObject>;
}

export function isSelected(selection: Selection, env: string, dir: string): boolean {
  if (selection.environments && !selection.environments.includes(env)) return false;
  if (selection.apps && !selection.apps.includes(dir)) return false;
  return true;
}

export function renderFleet(fleet: Fleet, selection: Selection = {}): RenderResult {
  const errors = new ErrorSink();
  const files = new Map<string, string>();
  const renderedObjects = new Map<string, RenderedObject>();
  const units = new Set<string>();
  const appNames = new Set<string>();
  let deployments = 0;
  let objects = 0;
  const environments: string[] = [];
  const renderedUnits: RenderedUnit[] = [];

  const emit = (unit: string, objectsOfUnit: RenderedObject[]) => {
    units.add(unit);
    // Argo CD sync waves (generators/argocd/sync-waves.ts), added to every unit alike.
    const rendered = objectsOfUnit.map((r) => ({ ...r, object: withSyncWave(r.object) }));
    const laid = errors.guard(() => layoutUnit(unit, rendered));
    if (!laid) return;
    const [environment, directory] = unit.split('/');
    if (directory !== undefined) renderedUnits.push({ environment: environment!, directory, objects: rendered.map((r) => r.object) });
    for (const name of [...laid.keys()].sort(compareStrings)) {
      files.set(`${unit}/${name}`, toYaml(laid.get(name)!.object));
      renderedObjects.set(`${unit}/${name}`, laid.get(name)!);
      objects++;
    }
  };

  for (const env of fleet.environments) {
    if (selection.environments && !selection.environments.includes(env.name)) continue;
    environments.push(env.name);
    if (isSelected(selection, env.name, CLUSTER_METADATA_NAME)) {
      emit(`${env.name}/${CLUSTER_METADATA_NAME}`, clusterMetadataObjects(env).map((object) => ({ object, source: env.snapshotFile })));
    }
    if (isSelected(selection, env.name, NAMESPACES_UNIT)) {
      const namespaces = [...new Set(env.apps.map((a) => a.namespace))].sort(compareStrings);
      emit(
        `${env.name}/${NAMESPACES_UNIT}`,
        namespaces.flatMap((ns) => namespaceObjects(ns, env).map((object) => ({ object, source: env.file }))),
      );
    }
    for (const app of env.apps) {
      if (!isSelected(selection, env.name, app.name)) continue;
      const rendered = errors.guard(() => renderApp(app, env));
      if (!rendered) continue;
      appNames.add(app.name);
      deployments++;
      emit(`${env.name}/${app.name}`, rendered);
    }
  }
  errors.throwIfAny();
  const complete = !selection.environments && !selection.apps;
  // argocd/ describes every environment, so only a complete render writes it; a filtered one
  // leaves it as it is (it does not own the unit).
  if (complete && fleet.argocd) {
    const source = fleet.argocd.file;
    emit(ARGOCD_UNIT, argocdObjects(fleet, renderedUnits).map((object) => ({ object, source })));
    errors.throwIfAny();
  }
  return { files, units, complete, environments, apps: appNames.size, deployments, objects, rendered: renderedObjects };
}

function renderApp(app: AppInstance, env: EnvironmentInstance): RenderedObject[] {
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
function applyPatches(app: AppInstance, objects: KubeObject[]): void {
  for (const patch of app.patches) {
    const index = objects.findIndex((o) => o.kind === patch.target.kind && o.metadata.name === patch.target.name);
    if (index < 0) {
      throw new BridgeError({
        code: 'patch',
        message: `patch target ${patch.target.kind} "${patch.target.name}" is not among the objects rendered for ${app.name} in ${app.environment}`,
        file: patch.file,
        pointer: `${patch.pointer}/target`,
        line: patch.lineOf(`${patch.pointer}/target`),
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
        line: patch.lineOf(at),
        hint: 'check the path against the rendered object (run `npm run render` without the patch and read the file)',
      });
    }
  }
}
