/**
 * Kustomize's shared label values. Its label and annotation transformers write one YAML node per
 * key and object, and every field they *add* holds that same node; a later in-place change of any
 * of those fields (another layer's `labels` without selectors, a strategic-merge patch, a
 * replacement) changes all of them. Checked with kubectl: base `commonLabels: {version: v1}`,
 * overlay patch `metadata.labels.version: v3` gives v3 in the selector and template too. This
 * module keeps those groups as JSON pointers per object and replays a change to every member.
 * (A JSON 6902 patch goes through JSON in Kustomize, which ends the sharing: `forget`.)
 */
import { parsePointer, pointerOf } from '../core/errors.js';
import type { Resource } from './resource.js';

function parentOf(obj: unknown, pointer: string): { holder: Record<string, unknown>; key: string } | undefined {
  const parts = parsePointer(pointer);
  let node: unknown = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[parts[i]!];
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return { holder: node as Record<string, unknown>, key: parts[parts.length - 1]! };
}

function valueAt(obj: unknown, pointer: string): unknown {
  const p = parentOf(obj, pointer);
  return p && Object.prototype.hasOwnProperty.call(p.holder, p.key) ? p.holder[p.key] : undefined;
}

export function pointerOfPath(path: (string | number)[], key?: string): string {
  return pointerOf(key === undefined ? path : [...path, key]);
}

/** Records a new group of fields that share one value (only groups of two or more matter). */
export function share(r: Resource, pointers: string[]): void {
  if (pointers.length > 1) r.sharedFields.push(pointers);
}

/** After the field at `pointer` changed in place to `value`: the fields sharing its node change too. */
export function propagate(r: Resource, pointer: string, value: unknown): void {
  for (const group of r.sharedFields) {
    if (!group.includes(pointer)) continue;
    for (const other of group) {
      if (other === pointer) continue;
      const p = parentOf(r.obj, other);
      if (p && Object.prototype.hasOwnProperty.call(p.holder, p.key)) p.holder[p.key] = value;
    }
  }
}

/** The shared fields' values, to compare after an operation that rebuilds the object. */
export function snapshot(r: Resource): unknown[][] {
  return r.sharedFields.map((group) => group.map((p) => valueAt(r.obj, p)));
}

/** Replays, for each group, a value one member changed to (members removed stay removed). */
export function propagateChanges(r: Resource, before: unknown[][]): void {
  r.sharedFields.forEach((group, i) => {
    const changed = group.findIndex((p, j) => {
      const v = valueAt(r.obj, p);
      return v !== undefined && v !== before[i]![j] && (v === null || typeof v !== 'object');
    });
    if (changed >= 0) propagate(r, group[changed]!, valueAt(r.obj, group[changed]!));
  });
}

export function forget(r: Resource): void {
  r.sharedFields = [];
}
