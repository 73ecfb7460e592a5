/**
 * Patches: `patches` (strategic merge or JSON 6902, told apart by shape, inline or from a file,
 * with an optional target selector and allowNameChange/allowKindChange), and the older
 * `patchesStrategicMerge` and `patchesJson6902`. A strategic-merge patch without a target names
 * its object by apiVersion, kind, name and namespace, matched against every name the object has
 * had (so the name before this kustomization's prefix works); it must match exactly one object.
 * A target that selects nothing patches nothing, as in Kustomize.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { KubeObject } from '../charts/object.js';
import type { ParsedDocument } from '../load/yaml.js';
import { forget, propagateChanges, snapshot } from './aliases.js';
import { kustomizeError } from './errors.js';
import type { Json6902Entry, Kustomization, PatchEntry } from './kustomization.js';
import { idEquals, idString, isClusterScoped, splitApiVersion, type ResId, type Resource } from './resource.js';
import { compileSelector, SELECTOR_HINT, SelectorError, type Selector } from './selector.js';
import { strategicMerge, StrategicMergeError } from './strategic-merge.js';

/** What the build gives patches: reading and parsing files relative to the kustomization. */
export interface PatchLoader {
  readText(k: Kustomization, rel: string, pointer: string): string;
  /** Parses YAML text (a file, or an inline patch) into resolved documents. */
  parseDocuments(text: string, file: string): { data: unknown; doc: ParsedDocument }[];
}

interface SmPatch {
  data: Record<string, unknown>;
  doc: ParsedDocument;
  /** Set for a patch written inline in the kustomization: the pointer of its text there. */
  inlineAt?: string;
}

/** An error about a patch: in its own file, or at the inline patch's field of the kustomization. */
function patchError(k: Kustomization, patch: { doc: ParsedDocument; inlineAt?: string }, pointer: string, message: string, hint: string) {
  if (patch.inlineAt !== undefined) {
    return kustomizeError({ file: k.file, pointer: patch.inlineAt, doc: k.doc }, pointer ? `${message} (at ${pointer} in the patch)` : message, hint);
  }
  return kustomizeError({ file: patch.doc.file, pointer, doc: patch.doc }, message, hint);
}

type Parsed = { kind: 'sm'; patches: SmPatch[] } | { kind: 'json'; ops: Operation[]; file: string; doc: ParsedDocument };

function fail(k: Kustomization, pointer: string, message: string, hint: string): never {
  throw kustomizeError({ file: k.file, pointer, doc: k.doc }, message, hint);
}

function patchId(p: Record<string, unknown>): ResId {
  const apiVersion = typeof p.apiVersion === 'string' ? p.apiVersion : '';
  const kind = typeof p.kind === 'string' ? p.kind : '';
  const md = (p.metadata ?? {}) as Record<string, unknown>;
  return {
    ...splitApiVersion(apiVersion),
    kind,
    name: typeof md.name === 'string' ? md.name : '',
    namespace: typeof md.namespace === 'string' ? md.namespace : '',
    clusterScoped: isClusterScoped(apiVersion, kind),
  };
}

function checkOps(k: Kustomization, pointer: string, data: unknown, where: string): Operation[] {
  if (!Array.isArray(data) || data.length === 0) fail(k, pointer, `the JSON 6902 patch ${where} has no operations`, 'write a list of operations: - op: replace, path: /spec/replicas, value: 3');
  data.forEach((op, i) => {
    if (!op || typeof op !== 'object' || typeof (op as Record<string, unknown>).op !== 'string' || typeof (op as Record<string, unknown>).path !== 'string') {
      fail(k, pointer, `operation ${i} of the JSON 6902 patch ${where} needs 'op' and 'path'`, 'a JSON 6902 patch is a list of operations: - {op: replace, path: /spec/replicas, value: 3}');
    }
    const name = (op as Record<string, unknown>).op as string;
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(name)) fail(k, pointer, `operation ${i} of the JSON 6902 patch ${where}: unknown op '${name}'`, 'op is one of add, remove, replace, move, copy, test');
  });
  return data as Operation[];
}

/** Parses patch text: a list is JSON 6902, mappings are strategic-merge patches. */
function parsePatchText(k: Kustomization, loader: PatchLoader, text: string, file: string, pointer: string, where: string): Parsed {
  const docs = loader.parseDocuments(text, file);
  if (docs.length === 1 && Array.isArray(docs[0]!.data)) return { kind: 'json', ops: checkOps(k, pointer, docs[0]!.data, where), file, doc: docs[0]!.doc };
  if (docs.length === 0) fail(k, pointer, `the patch ${where} is empty`, 'write the patch, or remove the entry');
  const inlineAt = file === k.file ? pointer : undefined;
  const patches = docs.map(({ data, doc }) => {
    if (!data || typeof data !== 'object' || Array.isArray(data)) fail(k, pointer, `the patch ${where} is neither a strategic-merge patch nor a JSON 6902 patch`, 'a patch is a partial object (apiVersion, kind, metadata.name and the fields to change) or a list of JSON 6902 operations');
    const m = data as Record<string, unknown>;
    if (typeof m.kind !== 'string' || m.kind === '') {
      throw patchError(k, { doc, inlineAt }, '', `the strategic-merge patch ${where} has no kind`, 'a strategic-merge patch names its object: apiVersion, kind and metadata.name');
    }
    const md = m.metadata as Record<string, unknown> | undefined;
    if (!md || typeof md.name !== 'string' || md.name === '') {
      throw patchError(k, { doc, inlineAt }, '/metadata', `the strategic-merge patch ${where} has no metadata.name`, 'a strategic-merge patch names its object: apiVersion, kind and metadata.name');
    }
    return { data: m, doc, inlineAt };
  });
  return { kind: 'sm', patches };
}

function applySm(k: Kustomization, target: Resource, patch: SmPatch, opts: { allowNameChange: boolean; allowKindChange: boolean }, onDelete: () => void): void {
  const { name, namespace, kind } = target;
  if (opts.allowNameChange || opts.allowKindChange) target.storePreviousId();
  const p = { ...patch.data, apiVersion: target.apiVersion };
  const before = snapshot(target);
  let merged: Record<string, unknown> | undefined;
  try {
    merged = strategicMerge(target.obj, p, target.gvk());
  } catch (e) {
    if (e instanceof StrategicMergeError) {
      throw patchError(k, patch, e.pointer, `strategic merge into ${idString(target.curId())}: ${e.message}`, 'fix the patch at that field: $patch takes merge, replace or delete, and a list or mapping in the patch must be a list or mapping in the object too');
    }
    throw e;
  }
  if (merged === undefined) {
    onDelete();
    return;
  }
  target.obj = merged as KubeObject;
  if (!opts.allowKindChange) target.obj.kind = kind;
  if (!opts.allowNameChange) target.setName(name);
  target.setNamespace(namespace);
  propagateChanges(target, before);
}

/** Applies JSON 6902 operations; a failure names the operation in its file (or the inline patch's field at `pointer`). */
function applyJson(target: Resource, ops: Operation[], file: string, doc: ParsedDocument, k: Kustomization, pointer: string): void {
  forget(target);
  // One operation at a time: fast-json-patch's applyPatch reports every validation failure as
  // operation 0, and the error must name the operation that failed.
  let obj: unknown = target.obj;
  for (let i = 0; i < ops.length; i++) {
    try {
      obj = jsonpatch.applyOperation(obj, ops[i]!, true, true, true, i).newDocument;
    } catch (e) {
      throw kustomizeError(
        file !== k.file ? { file, pointer: `/${i}`, doc } : { file: k.file, pointer, doc: k.doc },
        `JSON 6902 patch of ${idString(target.curId())} failed (operation ${i}): ${(e as Error).message.split('\n')[0]}`,
        'a path must exist for remove/replace/test, and its parent for add; check the object as the base renders it',
      );
    }
  }
  target.obj = obj as KubeObject;
}

function select(resources: Resource[], target: Selector, k: Kustomization, pointer: string): Resource[] {
  try {
    const s = compileSelector(target);
    return resources.filter((r) => s.matches(r));
  } catch (e) {
    if (e instanceof SelectorError) fail(k, `${pointer}/target`, e.message, SELECTOR_HINT);
    throw e;
  }
}

function bySmId(resources: Resource[], patch: SmPatch, k: Kustomization, pointer: string): Resource {
  const id = patchId(patch.data);
  const found = resources.filter((r) => r.allIds().some((x) => idEquals(x, id)));
  if (found.length === 1) return found[0]!;
  throw patchError(
    k,
    patch,
    '/metadata/name',
    found.length === 0 ? `no object matches the strategic-merge patch for ${idString(id)}` : `several objects match the strategic-merge patch for ${idString(id)}`,
    found.length === 0
      ? `the patch must name an object of the resources by apiVersion, kind, name (before this kustomization's namePrefix/nameSuffix) and namespace (listed at ${k.file}${pointer})`
      : 'add metadata.namespace to the patch, or use patches with a target',
  );
}

/** The entries of `patches:` (applied in order). */
export function applyPatches(resources: Resource[], k: Kustomization, loader: PatchLoader): Resource[] {
  let list = resources;
  for (const entry of k.patches) list = applyPatchEntry(list, entry, k, loader);
  return list;
}

function applyPatchEntry(resources: Resource[], entry: PatchEntry, k: Kustomization, loader: PatchLoader): Resource[] {
  const patchText = entry.patch?.trim() ?? '';
  if (patchText === '' && !entry.path) fail(k, entry.pointer, 'a patch needs `patch:` (inline) or `path:` (a file)', 'add path: <patch file> or patch: | <the patch>');
  if (patchText !== '' && entry.path) fail(k, entry.pointer, 'a patch has either `patch:` or `path:`, not both', 'keep one of them; split the entry in two to apply both');
  const [text, file, where] = entry.path
    ? [loader.readText(k, entry.path, `${entry.pointer}/path`), joinPath(k.dir, entry.path), `in ${entry.path}`]
    : [patchText, k.file, `at ${entry.pointer}/patch`];
  const parsed = parsePatchText(k, loader, text, file, entry.path ? `${entry.pointer}/path` : `${entry.pointer}/patch`, where);
  let list = resources;
  if (parsed.kind === 'sm') {
    if (entry.target) {
      if (parsed.patches.length > 1) fail(k, entry.pointer, 'a patch with a target holds one strategic-merge patch, not several', 'split the documents into one patches: entry each');
      const selected = new Set(select(list, entry.target, k, entry.pointer));
      const deleted = new Set<Resource>();
      for (const r of list) if (selected.has(r)) applySm(k, r, parsed.patches[0]!, entry.options, () => deleted.add(r));
      if (deleted.size > 0) list = list.filter((r) => !deleted.has(r));
    } else {
      for (const p of parsed.patches) {
        const r = bySmId(list, p, k, entry.pointer);
        applySm(k, r, p, entry.options, () => (list = list.filter((x) => x !== r)));
      }
    }
  } else {
    if (!entry.target) fail(k, entry.pointer, 'a JSON 6902 patch needs a target', 'add target: {kind: ..., name: ...}');
    for (const r of select(list, entry.target, k, entry.pointer)) {
      // Kustomize records the previous id in annotations first, so the patch sees
      // metadata.annotations even on an object that had none.
      r.storePreviousId();
      const md = (r.obj.metadata ??= { name: r.name });
      if (md.annotations === undefined || md.annotations === null) md.annotations = {};
      applyJson(r, parsed.ops, parsed.file, parsed.doc, k, `${entry.pointer}/patch`);
    }
  }
  return list;
}

function joinPath(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

/** `patchesStrategicMerge:` entries, each a file path or an inline patch. */
export function applyPatchesStrategicMerge(resources: Resource[], k: Kustomization, loader: PatchLoader): Resource[] {
  const patches: SmPatch[] = [];
  for (const entry of k.patchesStrategicMerge) {
    let inline: { data: unknown; doc: ParsedDocument }[] | undefined;
    try {
      inline = loader.parseDocuments(entry.value, k.file);
    } catch {
      inline = undefined;
    }
    const isInline = inline !== undefined && inline.length > 0 && inline.every((d) => d.data !== null && typeof d.data === 'object' && !Array.isArray(d.data));
    const parsed = isInline
      ? parsePatchText(k, loader, entry.value, k.file, entry.pointer, `at ${entry.pointer}`)
      : parsePatchText(k, loader, loader.readText(k, entry.value, entry.pointer), joinPath(k.dir, entry.value), entry.pointer, `in ${entry.value}`);
    if (parsed.kind !== 'sm') fail(k, entry.pointer, 'patchesStrategicMerge holds strategic-merge patches; this one is a JSON 6902 list', 'move it to patches: with a target');
    patches.push(...parsed.patches);
  }
  let list = resources;
  for (const p of patches) {
    const r = bySmId(list, p, k, '/patchesStrategicMerge');
    applySm(k, r, p, { allowNameChange: false, allowKindChange: false }, () => (list = list.filter((x) => x !== r)));
  }
  return list;
}

/** `patchesJson6902:` entries (target + path or inline patch). */
export function applyPatchesJson6902(resources: Resource[], k: Kustomization, loader: PatchLoader): void {
  const prepared = k.patchesJson6902.map((entry: Json6902Entry) => {
    if (!entry.path && !entry.patch) fail(k, entry.pointer, 'a patchesJson6902 entry needs `path:` or `patch:`', 'add path: <patch file> or patch: | <the operations>');
    if (entry.path && entry.patch) fail(k, entry.pointer, 'a patchesJson6902 entry has either `path:` or `patch:`, not both', 'keep one of them; split the entry in two to apply both');
    const text = entry.path ? loader.readText(k, entry.path, `${entry.pointer}/path`) : entry.patch!;
    const file = entry.path ? joinPath(k.dir, entry.path) : k.file;
    const where = entry.path ? `in ${entry.path}` : `at ${entry.pointer}/patch`;
    const docs = loader.parseDocuments(text, file);
    if (docs.length !== 1) fail(k, entry.pointer, `the JSON 6902 patch ${where} must be one list of operations`, 'a JSON 6902 patch is a list of operations: - {op: replace, path: /spec/replicas, value: 3}');
    return { entry, ops: checkOps(k, entry.path ? `${entry.pointer}/path` : `${entry.pointer}/patch`, docs[0]!.data, where), file, doc: docs[0]!.doc };
  });
  for (const { entry, ops, file, doc } of prepared) {
    for (const r of select(resources, entry.target, k, entry.pointer)) applyJson(r, ops, file, doc, k, `${entry.pointer}/patch`);
  }
}
