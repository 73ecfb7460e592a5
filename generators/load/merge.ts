/**
 * Overlay merge in the Kustomize spirit: maps merge key by key, lists whose items all have a
 * `name` merge item by item (an item `{name, $patch: delete}` removes one), any other value
 * replaces, and null deletes a key. Pure; the inputs are never modified.
 */
import { BridgeError, pointerOf } from '../core/errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface MergeResult<T> {
  value: T;
  /** Pointers (in the merged value) whose content came from the overlay, or that it deleted (set to null). */
  fromOverlay: Set<string>;
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(v: unknown): v is JsonObject[] {
  return Array.isArray(v) && v.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

export function mergeOverlay<T>(base: T, overlay: unknown, overlayFile: string, pointerPrefix: (string | number)[] = []): MergeResult<T> {
  const fromOverlay = new Set<string>();
  const overlayPath: (string | number)[] = [...pointerPrefix];

  const merge = (b: Json | undefined, o: Json, at: (string | number)[]): Json => {
    if (isPlainObject(b) && isPlainObject(o)) {
      const out: JsonObject = { ...b };
      for (const [k, v] of Object.entries(o)) {
        overlayPath.push(k);
        if (v === null) {
          // A deletion is the overlay's doing too: what is missing in this environment is blamed on it.
          delete out[k];
          fromOverlay.add(pointerOf([...at, k]));
        } else out[k] = merge(b[k], v, [...at, k]);
        overlayPath.pop();
      }
      return out;
    }
    if (isNamedList(o) && (b === undefined || isNamedList(b))) {
      const out: JsonObject[] = [...(b ?? [])];
      o.forEach((item, i) => {
        overlayPath.push(i);
        const index = out.findIndex((x) => x.name === item.name);
        if (item.$patch === 'delete') {
          if (index < 0) {
            throw new BridgeError({
              code: 'schema',
              message: `nothing named "${item.name}" to delete`,
              file: overlayFile,
              pointer: pointerOf(overlayPath),
              hint: 'the base has no list item of that name here; remove this entry',
            });
          }
          out.splice(index, 1);
        } else if (index >= 0) {
          out[index] = merge(out[index], item, [...at, index]) as JsonObject;
        } else {
          out.push(structuredClone(item));
          fromOverlay.add(pointerOf([...at, out.length - 1]));
        }
        overlayPath.pop();
      });
      return out;
    }
    fromOverlay.add(pointerOf(at));
    return structuredClone(o);
  };

  const value = overlay === undefined ? base : (merge(base as Json, overlay as Json, []) as T);
  return { value, fromOverlay };
}

/** Whether `pointer`, or a parent of it, was set by the overlay. */
export function setByOverlay(fromOverlay: Set<string>, pointer: string): boolean {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    if (fromOverlay.has(p)) return true;
    if (p === '') return false;
  }
}
