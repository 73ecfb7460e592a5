/**
 * `kustomize build`, natively and purely: the files come in as a map, the objects go out in
 * Kustomize's order. The build follows Kustomize's own pipeline (api/internal/target): for each
 * kustomization, its resources (files, and directories built as kustomizations of their own), its
 * generators, its components (applied to what is accumulated so far), then its transformers in
 * Kustomize's fixed order; at the very end the content-hash suffixes, the name references, the
 * removal of local-config objects and the sort. Everything outside the supported subset, and
 * everything Kustomize itself refuses, is a BridgeError with code 'kustomize'.
 */
import type { KubeObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import type { ParsedDocument } from '../load/yaml.js';
import { kustomizeError, withDocument } from './errors.js';
import { absorb, generateConfigMap } from './generators.js';
import { applyImages } from './images.js';
import { Checker, findKustomizationFile, readKustomization, type Kustomization } from './kustomization.js';
import { applyAnnotations, applyLabels, FieldError } from './labels.js';
import { fixNameReferences, NameReferenceError } from './name-reference.js';
import { applyHashSuffixes, applyPrefix, applySuffix } from './names.js';
import { applyNamespace, IdConflictError } from './namespace.js';
import { applyPatches, applyPatchesJson6902, applyPatchesStrategicMerge } from './patches.js';
import { isRemote, isWithin, join } from './paths.js';
import { applyReplacements, readReplacement, ReplacementError, type Replacement } from './replacements.js';
import { applyReplicas } from './replicas.js';
import { effectiveNamespace, idString, Resource } from './resource.js';
import { sortResources } from './sort.js';
import { parseYamlDocuments } from './yaml-documents.js';

export interface KustomizeBuildInput {
  /** Project-relative paths (forward slashes) -> file text: every file the build may read. */
  files: ReadonlyMap<string, string>;
  /** The kustomization directory to build, project-relative (it holds kustomization.yaml, .yml or Kustomization). */
  dir: string;
  /** Every path the build reads must lie under this directory (the app's directory); a reference outside it is an error naming the file, field and hint. */
  root: string;
  /** Called on every YAML document the build parses (kustomization files, resource files, patch files), before use; returns the document to use. The caller resolves ${bridge.<key>} / ${env.<field>} here. A BridgeError it throws without a file gets that document's file (and line if it has a pointer). */
  resolve?: (data: unknown, doc: ParsedDocument) => unknown;
}

/**
 * One object of the build's output, with the file it came from (the resource file; the
 * kustomization for a generated object) and, for a resource file's object, where a pointer
 * inside it was written there (the nearest line: patches may have moved or added the field).
 */
export interface KustomizedObject {
  object: KubeObject;
  file: string;
  lineOf?(pointer: string): number | undefined;
}

const LOCAL_CONFIG = 'config.kubernetes.io/local-config';

/** The build's objects, in Kustomize's output order. Throws BridgeError (code 'kustomize') for bad or unsupported input. */
export function kustomizeBuild(input: KustomizeBuildInput): KustomizedObject[] {
  const b = new Build(input);
  const dir = b.checkTopDir();
  const top = b.loadKustomization(dir, undefined);
  let resources = b.accumulate(top, [], [dir]);
  applyHashSuffixes(resources);
  try {
    fixNameReferences(resources);
  } catch (e) {
    if (e instanceof NameReferenceError) throw kustomizeError({ file: e.resource.file }, `name reference in ${idString(e.resource.curId())}: ${e.message}`, e.hint);
    throw e;
  }
  resources = resources.filter((r) => {
    const v = r.annotations()[LOCAL_CONFIG];
    return v === undefined || v === 'false';
  });
  return sortResources(resources, top.sortOptions).map((r) => {
    // Kustomize keeps bookkeeping in annotations while it builds and removes them at the end,
    // taking an empty (or null) annotations map with them, on every object (checked with kubectl).
    // It writes the remaining ones back as strings (checked: a number copied in by a replacement
    // comes out quoted).
    const md = r.obj.metadata;
    if (md && 'annotations' in md) {
      const a = md.annotations as unknown;
      if (a === null || (typeof a === 'object' && Object.keys(a as object).length === 0)) delete md.annotations;
      else if (a && typeof a === 'object' && !Array.isArray(a)) {
        for (const [key, v] of Object.entries(a)) if (typeof v !== 'string') (a as Record<string, unknown>)[key] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
    }
    return { object: r.obj, file: r.file, ...(r.lineOf && { lineOf: r.lineOf }) };
  });
}

class Build {
  private dirs: Set<string> | undefined;

  constructor(private readonly input: KustomizeBuildInput) {}

  checkTopDir(): string {
    const dir = join('', this.input.dir);
    if (dir === undefined || !isWithin(dir, join('', this.input.root) ?? '')) {
      throw new BridgeError({ code: 'kustomize', message: `the kustomization directory '${this.input.dir}' is outside '${this.input.root}'`, hint: 'build a kustomization inside the app directory' });
    }
    return dir;
  }

  private isDir(path: string): boolean {
    if (!this.dirs) {
      this.dirs = new Set(['']);
      for (const f of this.input.files.keys()) {
        let i = f.lastIndexOf('/');
        while (i > 0) {
          const d = f.slice(0, i);
          if (this.dirs.has(d)) break;
          this.dirs.add(d);
          i = d.lastIndexOf('/');
        }
      }
    }
    return this.dirs.has(path);
  }

  private resolveDoc(doc: ParsedDocument): unknown {
    const resolve = this.input.resolve;
    return resolve ? withDocument(doc, () => resolve(doc.data, doc)) : doc.data;
  }

  /** The path `rel` names from kustomization `k`, checked to stay inside the root. */
  private path(k: Kustomization, rel: string, pointer: string, what: string): string {
    const where = { file: k.file, pointer, doc: k.doc };
    if (isRemote(rel)) {
      throw kustomizeError(where, `remote ${what} '${rel}' is not supported`, 'vendor the remote base into the app directory (commit its files) and reference it by relative path');
    }
    if (rel.startsWith('/')) throw kustomizeError(where, `${what} '${rel}' is an absolute path`, 'use a path relative to the kustomization');
    const path = join(k.dir, rel);
    const root = join('', this.input.root) ?? '';
    if (path === undefined || !isWithin(path, root)) {
      throw kustomizeError(where, `${what} '${rel}' is outside '${root || '.'}'`, `a kustomization may read only files under its app directory (${root || '.'}); copy what it needs there`);
    }
    return path;
  }

  /** Reads a file named by kustomization `k`; Kustomize allows only files under the kustomization's own directory. */
  readText(k: Kustomization, rel: string, pointer: string): string {
    const path = this.path(k, rel, pointer, 'file');
    const where = { file: k.file, pointer, doc: k.doc };
    if (!isWithin(path, k.dir)) {
      throw kustomizeError(where, `file '${rel}' is not in or below '${k.dir || '.'}'`, "Kustomize reads files only under the kustomization's directory: move the file there, or make its directory a kustomization and list it under resources");
    }
    const text = this.input.files.get(path);
    if (text === undefined) {
      throw kustomizeError(where, this.isDir(path) ? `'${rel}' is a directory, not a file` : `file '${rel}' does not exist`, this.isDir(path) ? 'name a file here; to read every file of a directory, list each one' : `check the path; it is read relative to ${k.dir || '.'}`);
    }
    // Inputs are read as UTF-8: a binary file (Kustomize would put it in binaryData) would come out garbled.
    if (text.includes('\uFFFD')) {
      throw kustomizeError(where, `file '${rel}' is not UTF-8 text`, 'binary files (binaryData) are not supported: keep the binary out of git and mount it from the secret store or an image, or commit it base64-encoded as a text value');
    }
    return text;
  }

  parseDocuments(text: string, file: string): { data: unknown; doc: ParsedDocument }[] {
    return parseYamlDocuments(text, file).map((doc) => ({ doc, data: this.resolveDoc(doc) }));
  }

  loadKustomization(dir: string, from: { k: Kustomization; pointer: string } | undefined): Kustomization {
    const found = findKustomizationFile(this.input.files, dir);
    const where = from ? { file: from.k.file, pointer: from.pointer, doc: from.k.doc } : { file: dir || '.' };
    if (found.length === 0) {
      throw kustomizeError(where, `'${dir || '.'}' holds no kustomization.yaml, kustomization.yml or Kustomization`, 'a directory listed under resources or components must hold a kustomization file');
    }
    if (found.length > 1) throw kustomizeError({ file: found[0]! }, `'${dir || '.'}' holds several kustomization files: ${found.join(', ')}`, 'keep one of them');
    const file = found[0]!;
    return readKustomization(file, this.input.files.get(file)!, this.input.resolve);
  }

  /** A directory named by `k`, checked against Kustomize's cycle rule (no directory may contain one already visited). */
  private subDir(k: Kustomization, ref: { value: string; pointer: string }, chain: string[], what: string): string {
    const path = this.path(k, ref.value, ref.pointer, what);
    const ancestor = chain.find((visited) => isWithin(visited, path));
    if (ancestor !== undefined) {
      throw kustomizeError(
        { file: k.file, pointer: ref.pointer, doc: k.doc },
        `cycle: '${ref.value}' (${path || '.'}) contains '${ancestor || '.'}', which is already being built`,
        'a base may not contain its overlay: keep bases and overlays in sibling directories (base/, overlays/<env>/)',
      );
    }
    return path;
  }

  accumulate(k: Kustomization, start: Resource[], chain: string[]): Resource[] {
    let ra = start;
    for (const ref of k.resources) {
      const path = this.path(k, ref.value, ref.pointer, 'resource');
      if (this.input.files.has(path) && isWithin(path, k.dir)) {
        appendAll(ra, this.resourcesOfFile(path), k, ref.pointer);
      } else if (this.isDir(path)) {
        const dir = this.subDir(k, ref, chain, 'resource');
        const sub = this.loadKustomization(dir, { k, pointer: ref.pointer });
        if (sub.isComponent) throw kustomizeError({ file: k.file, pointer: ref.pointer, doc: k.doc }, `'${ref.value}' is a Component; list it under components, not resources`, 'a Component adds to the kustomization that lists it under components: move the entry there');
        appendAll(ra, this.accumulate(sub, [], [...chain, dir]), k, ref.pointer);
      } else if (this.input.files.has(path)) {
        throw kustomizeError({ file: k.file, pointer: ref.pointer, doc: k.doc }, `resource file '${ref.value}' is not in or below '${k.dir || '.'}'`, "Kustomize reads resource files only under the kustomization's directory: make the other directory a kustomization and list the directory instead");
      } else {
        throw kustomizeError({ file: k.file, pointer: ref.pointer, doc: k.doc }, `resource '${ref.value}' does not exist (no such file or directory)`, `check the path; it is read relative to ${k.dir || '.'}`);
      }
    }
    for (const args of k.configMapGenerator) absorb(ra, generateConfigMap(k, args, this), k, args.pointer);
    for (const ref of k.components) {
      const path = this.path(k, ref.value, ref.pointer, 'component');
      if (!this.isDir(path)) throw kustomizeError({ file: k.file, pointer: ref.pointer, doc: k.doc }, `component '${ref.value}' is not a directory`, 'a component is a directory holding a kustomization.yaml of kind: Component');
      const dir = this.subDir(k, ref, chain, 'component');
      const sub = this.loadKustomization(dir, { k, pointer: ref.pointer });
      if (!sub.isComponent) throw kustomizeError({ file: k.file, pointer: ref.pointer, doc: k.doc }, `'${ref.value}' is not a Component (its kustomization has kind: Kustomization)`, 'list it under resources, or give it kind: Component and apiVersion: kustomize.config.k8s.io/v1alpha1');
      // A component works on what this kustomization has accumulated so far.
      ra = this.accumulate(sub, ra, [...chain, dir]);
    }
    return this.transform(k, ra);
  }

  private resourcesOfFile(path: string): Resource[] {
    const out: Resource[] = [];
    for (const { data, doc } of this.parseDocuments(this.input.files.get(path)!, path)) {
      const add = (value: unknown, pointer: string) => {
        const where = { file: path, pointer, doc };
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw kustomizeError(where, 'a resource must be a mapping (a Kubernetes object)', 'a resource file holds Kubernetes objects (apiVersion, kind, metadata), one per `---` document, or a List of them');
        const obj = value as Record<string, unknown>;
        if (typeof obj.kind !== 'string' || obj.kind === '') throw kustomizeError(where, 'missing kind in object', 'every object needs apiVersion, kind and metadata.name');
        if (obj.kind.endsWith('List') && 'items' in obj) {
          if (obj.items === null) return;
          if (!Array.isArray(obj.items)) throw kustomizeError({ ...where, pointer: `${pointer}/items` }, `expected a list in ${obj.kind}.items`, 'write the objects of the list under items: as a sequence (- apiVersion: ...)');
          obj.items.forEach((item, i) => add(item, `${pointer}/items/${i}`));
          return;
        }
        const md = obj.metadata as Record<string, unknown> | undefined;
        if (!obj.kind.endsWith('List') && (!md || typeof md !== 'object' || typeof md.name !== 'string' || md.name === '')) {
          throw kustomizeError({ ...where, pointer: `${pointer}/metadata` }, 'missing metadata.name in object', 'every object needs apiVersion, kind and metadata.name');
        }
        out.push(new Resource(obj as KubeObject, path, (at) => doc.lineOf(pointer + at)));
      };
      add(data, '');
    }
    return out;
  }

  private transform(k: Kustomization, input: Resource[]): Resource[] {
    let ra = input;
    const at = (pointer: string) => ({ file: k.file, pointer, doc: k.doc });
    /** The field of the kustomization being applied, for the errors of the label and annotation transformers. */
    let step = '';
    try {
      if (k.patchesStrategicMerge.length > 0) ra = applyPatchesStrategicMerge(ra, k, this);
      if (k.patches.length > 0) ra = applyPatches(ra, k, this);
      if (k.namespace) applyNamespace(ra, k.namespace);
      if (k.namePrefix) applyPrefix(ra, k.namePrefix);
      if (k.nameSuffix) applySuffix(ra, k.nameSuffix);
      step = '/labels';
      applyLabels(ra, k.labels, undefined);
      step = '/commonLabels';
      applyLabels(ra, [], k.commonLabels);
      step = '/commonAnnotations';
      if (k.commonAnnotations) applyAnnotations(ra, k.commonAnnotations);
      if (k.patchesJson6902.length > 0) applyPatchesJson6902(ra, k, this);
      for (const { value, pointer } of k.replicas) {
        if (!applyReplicas(ra, value.name, value.count)) {
          throw kustomizeError(at(pointer), `replicas: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named '${value.name}'`, 'name a workload of the resources (the name before any namePrefix works)');
        }
      }
      if (k.images.length > 0) applyImages(ra, k.images);
      if (k.replacements.length > 0) applyReplacements(ra, this.replacements(k));
    } catch (e) {
      if (e instanceof IdConflictError) throw kustomizeError(at('/namespace'), e.message, 'two objects that differ only by namespace cannot be moved into one namespace');
      if (e instanceof FieldError) {
        throw kustomizeError(
          at(step),
          `cannot set ${step.slice(1)} in ${idString(e.resource.curId())} (from ${e.resource.file}): ${e.message}`,
          `fix the object in ${e.resource.file}: labels and annotations (and the selectors and templates that carry them) are mappings of strings`,
        );
      }
      if (e instanceof ReplacementError) throw kustomizeError(e.replacement.where, e.message, e.hint);
      throw e;
    }
    return ra;
  }

  private replacements(k: Kustomization): Replacement[] {
    const out: Replacement[] = [];
    for (const entry of k.replacements) {
      if (entry.inline) {
        out.push(readReplacement(new Checker(k.file, k.doc), entry.inline, entry.pointer));
        continue;
      }
      const text = this.readText(k, entry.path!, `${entry.pointer}/path`);
      const file = join(k.dir, entry.path!)!;
      for (const { data, doc } of this.parseDocuments(text, file)) {
        const c = new Checker(file, doc);
        if (Array.isArray(data)) data.forEach((r, i) => out.push(readReplacement(c, r, `/${i}`)));
        else out.push(readReplacement(c, data, ''));
      }
    }
    return out;
  }
}

/** Adds objects to the build; an id already there is an error (Kustomize's AppendAll). */
function appendAll(ra: Resource[], add: Resource[], k: Kustomization, pointer: string): void {
  const key = (r: Resource) => {
    const id = r.curId();
    return `${id.group}|${id.version}|${id.kind}|${id.name}|${effectiveNamespace(id)}`;
  };
  const seen = new Map(ra.map((r) => [key(r), r] as const));
  for (const r of add) {
    const kk = key(r);
    const other = seen.get(kk);
    if (other) {
      throw kustomizeError(
        { file: k.file, pointer, doc: k.doc },
        `${idString(r.curId())} is defined twice (in ${other.file} and ${r.file})`,
        'an object may appear once in a build; remove one, or patch the base instead of redefining the object',
      );
    }
    seen.set(kk, r);
    ra.push(r);
  }
}
