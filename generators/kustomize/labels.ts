/**
 * `labels`, `commonLabels` and `commonAnnotations`: string entries set at every field Kustomize's
 * tables name for the object's kind (metadata, pod templates, selectors), creating the maps where
 * the table says so. Keys are set in sorted order, as Kustomize does.
 */
import { compareStrings } from '../core/strings.js';
import { COMMON_ANNOTATIONS, COMMON_LABELS, FieldPathError, mergeFieldSpecs, METADATA_LABELS_ONLY, TEMPLATE_LABELS, visitFieldSpec, type FieldSpec } from './field-specs.js';
import { pointerOfPath, propagate, share } from './aliases.js';
import type { Resource } from './resource.js';

export class FieldError extends Error {
  constructor(
    message: string,
    readonly resource: Resource,
  ) {
    super(message);
  }
}

/** Sets `entries` into the maps at `specs` in every object. */
export function setMapEntries(resources: Resource[], entries: Record<string, string>, specs: FieldSpec[]): void {
  const keys = Object.keys(entries).sort(compareStrings);
  if (keys.length === 0) return;
  for (const r of resources) {
    const gvk = r.gvk();
    // Kustomize writes key by key, each key's added fields sharing one node (aliases.ts).
    for (const k of keys) {
      const added: string[] = [];
      for (const spec of specs) {
        try {
          visitFieldSpec(r.obj, gvk, spec, 'map', (holder, key, path) => {
            const map = (holder as Record<string | number, unknown>)[key];
            if (map === null || map === undefined) return;
            if (typeof map !== 'object' || Array.isArray(map)) throw new FieldError(`'${spec.path.join('/')}' is not a mapping`, r);
            const m = map as Record<string, unknown>;
            const pointer = pointerOfPath(path, k);
            if (Object.prototype.hasOwnProperty.call(m, k)) {
              m[k] = entries[k];
              propagate(r, pointer, entries[k]);
            } else {
              m[k] = entries[k];
              added.push(pointer);
            }
          });
        } catch (e) {
          if (e instanceof FieldPathError) throw new FieldError(e.message, r);
          throw e;
        }
      }
      share(r, added);
    }
  }
}

export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors: boolean;
  includeTemplates: boolean;
  fields: FieldSpec[];
}

/** The field specs one `labels:` entry writes to. */
export function labelFieldSpecs(entry: LabelEntry): FieldSpec[] {
  if (entry.includeSelectors) return mergeFieldSpecs(entry.fields, COMMON_LABELS);
  let specs = entry.fields;
  if (entry.includeTemplates) specs = mergeFieldSpecs(specs, TEMPLATE_LABELS);
  return mergeFieldSpecs(specs, METADATA_LABELS_ONLY);
}

export function applyLabels(resources: Resource[], labels: LabelEntry[], commonLabels: Record<string, string> | undefined): void {
  for (const entry of labels) setMapEntries(resources, entry.pairs, labelFieldSpecs(entry));
  if (commonLabels) setMapEntries(resources, commonLabels, COMMON_LABELS);
}

export function applyAnnotations(resources: Resource[], annotations: Record<string, string>): void {
  setMapEntries(resources, annotations, COMMON_ANNOTATIONS);
}
