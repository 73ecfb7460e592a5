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
    // One operation at a time: fast-json-patch's applyPatch reports every validation failure as
    // operation 0, and the error must name the operation that failed (and its line).
    let document: unknown = structuredClone(objects[index]!);
    patch.operations.forEach((op, i) => {
      try {
        document = jsonpatch.applyOperation(document, op as jsonpatch.Operation, true, true, true, i).newDocument;
      } catch (e) {
        const at = `${patch.pointer}/operations/${i}`;
        throw new BridgeError({
          code: 'patch',
          message: `patch on ${patch.target.kind} "${patch.target.name}" failed at operation ${i} (${op.op} ${op.path}): ${(e as Error).message.split('\n')[0]}`,
          file: patch.file,
          pointer: at,
          line: patch.lineOf?.(at),
          hint: patchHint(document, op),
        });
      }
    });
    objects[index] = document as KubeObject;
  }
}

/** Chart-added fields the rendered file shows but the object does not have when patches run. */
const ADDED_AFTER_PATCHES = new Set(['/metadata/annotations', '/metadata/labels']);

/**
 * What to do about a failed operation: when the path's parent does not exist on the object as
 * patches see it, say which part is missing and how to create it; otherwise compare with the
 * rendered object.
 */
export function patchHint(document: unknown, op: { op: string; path: string }): string {
  const segments = op.path.split('/').slice(1);
  const missing = firstMissing(document, segments);
  // `add` needs the parent; remove/replace/test need the path itself.
  const needed = op.op === 'add' || op.op === 'copy' || op.op === 'move' ? segments.length - 1 : segments.length;
  if (missing !== undefined && missing < needed) {
    const parent = '/' + segments.slice(0, missing + 1).join('/');
    const later = ADDED_AFTER_PATCHES.has(parent)
      ? ` (the rendered file has ${parent}: it is added after overlay patches run, so \`npm run render\` output is not what the patch sees)`
      : '';
    return `${parent} does not exist on the object when this patch runs${later}; add the map first (an earlier operation \`op: add, path: ${parent}, value: {}\`) or use a path that exists`;
  }
  return 'check the path against the rendered object (run `npm run render` without the patch and read the file)';
}

/** Index of the first segment of a JSON pointer that does not exist in the document, if any. */
function firstMissing(document: unknown, segments: string[]): number | undefined {
  let node = document;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (key === '-' || !/^\d+$/.test(key) || Number(key) >= node.length) return i;
      node = node[Number(key)];
    } else if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else return i;
  }
  return undefined;
}
