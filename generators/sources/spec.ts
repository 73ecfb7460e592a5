/**
 * The spec source: an app.yaml (with its environment's overlay merged and references resolved
 * by load/fleet.ts) rendered by the project's own chart (charts/app-chart.ts), then the
 * overlay's JSON 6902 patches, the escape hatch for what the spec does not model. Pure.
 */
import jsonpatch from 'fast-json-patch';
import { appObjects, type ChartEnv } from '../charts/app-chart.js';
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { clusterScoped } from './own-objects.js';
import type { UnitSpecApp } from './types.js';

export function renderSpecApp(app: UnitSpecApp, env: ChartEnv): RenderedObject[] {
  const objects = appObjects(app, env).map(normalise);
  applyPatches(app, objects);
  const base = app.files[0]!;
  return objects.map((object) => ({ object, source: base }));
}

/** Cluster-scoped kinds carry no namespace, whatever the chart's default. */
function normalise(object: KubeObject): KubeObject {
  if (clusterScoped(object.kind) && object.metadata.namespace !== undefined) {
    const { namespace: _drop, ...metadata } = object.metadata;
    return { ...object, metadata: metadata as KubeObject['metadata'] };
  }
  return object;
}

/** JSON 6902 patches from the overlay: the escape hatch for what the spec does not model. */
function applyPatches(app: UnitSpecApp, objects: KubeObject[]): void {
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
