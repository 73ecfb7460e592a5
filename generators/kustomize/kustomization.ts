/**
 * Reading one kustomization file: finding it in its directory (kustomization.yaml, .yml or
 * Kustomization; two is an error, as in Kustomize), parsing it, and checking every field against
 * Kustomize's format with the types Kustomize's strict decoder demands. Features outside the
 * supported set are refused here, each with the field's pointer and what to do instead; an
 * unknown field gets a did-you-mean.
 */
import { pointerOf } from '../core/errors.js';
import { closest } from '../core/strings.js';
import { parseYaml, type ParsedDocument } from '../load/yaml.js';
import { kustomizeError, withDocument } from './errors.js';
import { fieldSpec, type FieldSpec } from './field-specs.js';
import type { ImageRule } from './images.js';
import type { LabelEntry } from './labels.js';
import type { Selector } from './selector.js';
import { KUSTOMIZE_YAML_SCHEMA } from './yaml-schema.js';

export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A value with the JSON pointer it came from in the kustomization file. */
export interface At<T> {
  value: T;
  pointer: string;
}

export interface PatchEntry {
  pointer: string;
  path?: string;
  patch?: string;
  target?: Selector;
  options: { allowNameChange: boolean; allowKindChange: boolean };
}

export interface Json6902Entry {
  pointer: string;
  target: Selector;
  path?: string;
  patch?: string;
}

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface ConfigMapArgs {
  pointer: string;
  name: string;
  namespace?: string;
  behavior: 'create' | 'merge' | 'replace';
  literals: At<string>[];
  files: At<string>[];
  envs: At<string>[];
  options?: GeneratorOptions;
}

export interface ReplacementEntry {
  pointer: string;
  /** Inline replacement (already checked) or a file to read replacements from. */
  inline?: Record<string, unknown>;
  path?: string;
}

export interface SortOptions {
  order: 'legacy' | 'fifo';
  orderFirst?: string[];
  orderLast?: string[];
}

export interface Kustomization {
  file: string;
  dir: string;
  doc: ParsedDocument;
  isComponent: boolean;
  resources: At<string>[];
  components: At<string>[];
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  commonLabels?: Record<string, string>;
  labels: LabelEntry[];
  commonAnnotations?: Record<string, string>;
  images: ImageRule[];
  replicas: At<{ name: string; count: number }>[];
  patches: PatchEntry[];
  patchesStrategicMerge: At<string>[];
  patchesJson6902: Json6902Entry[];
  configMapGenerator: ConfigMapArgs[];
  replacements: ReplacementEntry[];
  sortOptions?: SortOptions;
}

const KUSTOMIZATION_VERSION = 'kustomize.config.k8s.io/v1beta1';
const COMPONENT_VERSION = 'kustomize.config.k8s.io/v1alpha1';

const SUPPORTED = [
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'imageTags',
  'replicas',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'generatorOptions',
  'replacements',
  'sortOptions',
];

/** Kustomize fields this engine refuses, with what to do instead. */
const REFUSED: Record<string, string> = {
  secretGenerator:
    'Secrets are never rendered from plain text in this project: declare an ExternalSecret (external-secrets.io) that reads the value from the secret store, and list it under resources',
  helmCharts: 'Helm charts are not inflated inside a kustomization here: commit the chart\'s rendered manifests (`helm template`) and list them under resources, or write the app as a cdk8s chart (chart.ts in the app directory)',
  helmGlobals: 'Helm charts are not inflated inside a kustomization here: remove helmGlobals along with helmCharts',
  helmChartInflationGenerator: 'Helm charts are not inflated inside a kustomization here: commit the chart\'s rendered manifests (`helm template`) and list them under resources',
  generators: 'generator plugins run arbitrary code and are not supported: use configMapGenerator, or commit the generated objects and list them under resources',
  transformers: 'transformer plugins are not supported: use the built-in fields (namespace, namePrefix, labels, patches, replacements...)',
  validators: 'validator plugins are not supported: the check stage validates every rendered object',
  openapi: 'custom OpenAPI schemas are not supported: strategic merge uses the built-in Kubernetes merge keys; for a custom resource use a JSON 6902 patch',
  crds: 'crds (field specs from CRD schemas) are not supported: use a JSON 6902 patch or replacements to reach the fields of custom resources',
  configurations: 'custom transformer configurations are not supported: use replacements, or labels with `fields:` for extra label paths',
  vars: 'vars are deprecated in Kustomize: use replacements (source + targets with fieldPaths) instead',
  buildMetadata: 'buildMetadata adds provenance annotations that change with the build: remove it',
};

const LIST_FIELDS_OF = {
  label: ['pairs', 'includeSelectors', 'includeTemplates', 'fields'],
  fieldSpec: ['group', 'version', 'kind', 'path', 'create'],
  image: ['name', 'newName', 'newTag', 'digest', 'tagSuffix'],
  replica: ['name', 'count'],
  patch: ['path', 'patch', 'target', 'options'],
  selector: ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'],
  configMap: ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options'],
  options: ['labels', 'annotations', 'disableNameSuffixHash', 'immutable'],
  sortOptions: ['order', 'legacySortOptions'],
  legacySortOptions: ['orderFirst', 'orderLast'],
  metadata: ['name', 'namespace', 'labels', 'annotations'],
};

/** Checks field values against the types Kustomize's decoder wants, reporting with pointers. */
export class Checker {
  constructor(
    readonly file: string,
    readonly doc: ParsedDocument,
  ) {}

  fail(pointer: string, message: string, hint: string): never {
    throw kustomizeError({ file: this.file, pointer, doc: this.doc }, message, hint);
  }

  map(v: unknown, p: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(p, `${p || 'the document'} must be a mapping`, 'write key: value pairs here (see the Kustomize reference for this field)');
    return v as Record<string, unknown>;
  }
  list(v: unknown, p: string): unknown[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) this.fail(p, `${p} must be a list`, 'write a sequence here: one `- item` per line, or [a, b]');
    return v;
  }
  string(v: unknown, p: string): string {
    if (typeof v !== 'string') this.fail(p, `${p} must be a string (quote it)`, 'write the value in quotes: "..."');
    return v;
  }
  optString(v: unknown, p: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, p);
  }
  bool(v: unknown, p: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') this.fail(p, `${p} must be true or false`, 'write true or false, unquoted');
    return v;
  }
  stringList(v: unknown, p: string): At<string>[] {
    return this.list(v, p).map((x, i) => ({ value: this.string(x, `${p}/${i}`), pointer: `${p}/${i}` }));
  }
  stringMap(v: unknown, p: string): Record<string, string> | undefined {
    if (v === undefined || v === null) return undefined;
    const m = this.map(v, p);
    for (const [k, x] of Object.entries(m)) this.string(x, `${p}/${pointerOf([k]).slice(1)}`);
    return m as Record<string, string>;
  }
  keys(m: Record<string, unknown>, allowed: readonly string[], p: string): void {
    for (const k of Object.keys(m)) {
      if (!allowed.includes(k)) {
        const guess = closest(k, allowed);
        this.fail(`${p}/${pointerOf([k]).slice(1)}`, `unknown field '${k}'`, guess ? `did you mean '${guess}'?` : `the fields here are: ${allowed.join(', ')}`);
      }
    }
  }
  selector(v: unknown, p: string): Selector {
    const m = this.map(v, p);
    this.keys(m, LIST_FIELDS_OF.selector, p);
    const s: Selector = {};
    for (const k of LIST_FIELDS_OF.selector) {
      const x = this.optString(m[k], `${p}/${k}`);
      if (x !== undefined) s[k as keyof Selector] = x;
    }
    return s;
  }
  generatorOptions(v: unknown, p: string): GeneratorOptions | undefined {
    if (v === undefined || v === null) return undefined;
    const m = this.map(v, p);
    this.keys(m, LIST_FIELDS_OF.options, p);
    return {
      labels: this.stringMap(m.labels, `${p}/labels`),
      annotations: this.stringMap(m.annotations, `${p}/annotations`),
      disableNameSuffixHash: this.bool(m.disableNameSuffixHash, `${p}/disableNameSuffixHash`),
      immutable: this.bool(m.immutable, `${p}/immutable`),
    };
  }
}

/** Finds the kustomization file of `dir` among `files`; undefined when there is none. */
export function findKustomizationFile(files: ReadonlyMap<string, string>, dir: string): string[] {
  return KUSTOMIZATION_FILE_NAMES.map((n) => (dir === '' ? n : `${dir}/${n}`)).filter((f) => files.has(f));
}

export function readKustomization(
  file: string,
  text: string,
  resolve: ((data: unknown, doc: ParsedDocument) => unknown) | undefined,
): Kustomization {
  const doc = parseYaml(text, file, KUSTOMIZE_YAML_SCHEMA);
  const data = resolve ? withDocument(doc, () => resolve(doc.data, doc)) : doc.data;
  const c = new Checker(file, doc);
  if (data === null || data === undefined) c.fail('', 'the kustomization is empty', 'list the objects under `resources:`');
  const k = c.map(data, '');

  for (const key of Object.keys(k)) {
    if (key in REFUSED) c.fail(`/${pointerOf([key]).slice(1)}`, `'${key}' is not supported`, REFUSED[key]!);
  }
  c.keys(k, SUPPORTED, '');

  const kind = c.optString(k.kind, '/kind') ?? 'Kustomization';
  if (kind !== 'Kustomization' && kind !== 'Component') c.fail('/kind', `kind should be Kustomization or Component, not '${kind}'`, 'write kind: Kustomization (or kind: Component for a component), or leave kind out');
  const apiVersion = c.optString(k.apiVersion, '/apiVersion');
  const wanted = kind === 'Component' ? COMPONENT_VERSION : KUSTOMIZATION_VERSION;
  if (apiVersion !== undefined && apiVersion !== wanted) c.fail('/apiVersion', `apiVersion for ${kind} should be ${wanted}`, `write apiVersion: ${wanted}, or leave apiVersion out`);
  if (k.metadata !== undefined && k.metadata !== null) c.keys(c.map(k.metadata, '/metadata'), LIST_FIELDS_OF.metadata, '/metadata');

  const meaningful = Object.keys(k).filter((x) => x !== 'apiVersion' && x !== 'kind' && k[x] !== null && k[x] !== undefined);
  if (meaningful.length === 0) c.fail('', 'the kustomization is empty', 'list the objects under `resources:`');

  const out: Kustomization = {
    file,
    dir: file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '',
    doc,
    isComponent: kind === 'Component',
    resources: [...c.stringList(k.resources, '/resources'), ...c.stringList(k.bases, '/bases')],
    components: c.stringList(k.components, '/components'),
    namespace: c.optString(k.namespace, '/namespace'),
    namePrefix: c.optString(k.namePrefix, '/namePrefix'),
    nameSuffix: c.optString(k.nameSuffix, '/nameSuffix'),
    commonLabels: c.stringMap(k.commonLabels, '/commonLabels'),
    commonAnnotations: c.stringMap(k.commonAnnotations, '/commonAnnotations'),
    labels: [],
    images: [],
    replicas: [],
    patches: [],
    patchesStrategicMerge: c.stringList(k.patchesStrategicMerge, '/patchesStrategicMerge'),
    patchesJson6902: [],
    configMapGenerator: [],
    replacements: [],
  };

  c.list(k.labels, '/labels').forEach((v, i) => {
    const p = `/labels/${i}`;
    const m = c.map(v, p);
    c.keys(m, LIST_FIELDS_OF.label, p);
    const fields: FieldSpec[] = c.list(m.fields, `${p}/fields`).map((f, j) => {
      const fp = `${p}/fields/${j}`;
      const fm = c.map(f, fp);
      c.keys(fm, LIST_FIELDS_OF.fieldSpec, fp);
      return fieldSpec(c.string(fm.path, `${fp}/path`), {
        group: c.optString(fm.group, `${fp}/group`),
        version: c.optString(fm.version, `${fp}/version`),
        kind: c.optString(fm.kind, `${fp}/kind`),
        create: c.bool(fm.create, `${fp}/create`),
      });
    });
    out.labels.push({
      pairs: c.stringMap(m.pairs, `${p}/pairs`) ?? {},
      includeSelectors: c.bool(m.includeSelectors, `${p}/includeSelectors`),
      includeTemplates: c.bool(m.includeTemplates, `${p}/includeTemplates`),
      fields,
    });
  });

  for (const field of ['images', 'imageTags'] as const) {
    c.list(k[field], `/${field}`).forEach((v, i) => {
      const p = `/${field}/${i}`;
      const m = c.map(v, p);
      c.keys(m, LIST_FIELDS_OF.image, p);
      const rule: ImageRule = { name: c.optString(m.name, `${p}/name`) ?? '' };
      for (const f of ['newName', 'newTag', 'digest', 'tagSuffix'] as const) {
        const x = c.optString(m[f], `${p}/${f}`);
        if (x !== undefined) rule[f] = x;
      }
      out.images.push(rule);
    });
  }

  c.list(k.replicas, '/replicas').forEach((v, i) => {
    const p = `/replicas/${i}`;
    const m = c.map(v, p);
    c.keys(m, LIST_FIELDS_OF.replica, p);
    const count = m.count ?? 0;
    if (typeof count !== 'number' || !Number.isInteger(count)) c.fail(`${p}/count`, 'count must be a whole number', 'write the number of replicas unquoted: count: 3');
    out.replicas.push({ value: { name: c.optString(m.name, `${p}/name`) ?? '', count: count as number }, pointer: p });
  });

  c.list(k.patches, '/patches').forEach((v, i) => {
    const p = `/patches/${i}`;
    const m = c.map(v, p);
    c.keys(m, LIST_FIELDS_OF.patch, p);
    const options = m.options === undefined || m.options === null ? {} : c.map(m.options, `${p}/options`);
    c.keys(options, ['allowNameChange', 'allowKindChange'], `${p}/options`);
    out.patches.push({
      pointer: p,
      path: c.optString(m.path, `${p}/path`),
      patch: c.optString(m.patch, `${p}/patch`),
      target: m.target === undefined || m.target === null ? undefined : c.selector(m.target, `${p}/target`),
      options: { allowNameChange: c.bool(options.allowNameChange, `${p}/options/allowNameChange`), allowKindChange: c.bool(options.allowKindChange, `${p}/options/allowKindChange`) },
    });
  });

  c.list(k.patchesJson6902, '/patchesJson6902').forEach((v, i) => {
    const p = `/patchesJson6902/${i}`;
    const m = c.map(v, p);
    c.keys(m, LIST_FIELDS_OF.patch, p);
    if (m.target === undefined || m.target === null) c.fail(`${p}/target`, 'a patchesJson6902 entry needs a target', 'name the object to patch: target: {kind: ..., name: ...}');
    const target = c.selector(m.target, `${p}/target`);
    if (!target.name) c.fail(`${p}/target`, 'a patchesJson6902 target must name the object (target.name)', 'add name: to the target, or move the entry to patches:, whose targets may select by kind or labels');
    out.patchesJson6902.push({ pointer: p, target, path: c.optString(m.path, `${p}/path`), patch: c.optString(m.patch, `${p}/patch`) });
  });

  const globalOptions = c.generatorOptions(k.generatorOptions, '/generatorOptions');
  c.list(k.configMapGenerator, '/configMapGenerator').forEach((v, i) => {
    const p = `/configMapGenerator/${i}`;
    const m = c.map(v, p);
    c.keys(m, LIST_FIELDS_OF.configMap, p);
    const behavior = c.optString(m.behavior, `${p}/behavior`) ?? 'create';
    if (behavior !== 'create' && behavior !== 'merge' && behavior !== 'replace') c.fail(`${p}/behavior`, `behavior must be create, merge or replace, not '${behavior}'`, 'create makes a new ConfigMap; merge and replace change one a base generates');
    const envs = c.stringList(m.envs, `${p}/envs`);
    const env = c.optString(m.env, `${p}/env`);
    if (env) envs.push({ value: env, pointer: `${p}/env` });
    const name = c.optString(m.name, `${p}/name`) ?? '';
    if (!name) c.fail(p, 'a configMapGenerator entry needs a name', 'add name: <the ConfigMap name>');
    out.configMapGenerator.push({
      pointer: p,
      name,
      namespace: c.optString(m.namespace, `${p}/namespace`) || undefined,
      behavior: behavior as ConfigMapArgs['behavior'],
      literals: c.stringList(m.literals, `${p}/literals`),
      files: c.stringList(m.files, `${p}/files`),
      envs,
      options: mergeOptions(c.generatorOptions(m.options, `${p}/options`), globalOptions),
    });
  });

  c.list(k.replacements, '/replacements').forEach((v, i) => {
    const p = `/replacements/${i}`;
    const m = c.map(v, p);
    if ('path' in m) {
      c.keys(m, ['path'], p);
      out.replacements.push({ pointer: p, path: c.string(m.path, `${p}/path`) });
    } else out.replacements.push({ pointer: p, inline: m });
  });

  if (k.sortOptions !== undefined && k.sortOptions !== null) {
    const m = c.map(k.sortOptions, '/sortOptions');
    c.keys(m, LIST_FIELDS_OF.sortOptions, '/sortOptions');
    const order = c.optString(m.order, '/sortOptions/order');
    if (order !== 'legacy' && order !== 'fifo') c.fail('/sortOptions/order', "sortOptions.order must be 'legacy' or 'fifo'", 'legacy sorts by kind (the default); fifo keeps the order of resources');
    const sort: SortOptions = { order: order as SortOptions['order'] };
    if (m.legacySortOptions !== undefined && m.legacySortOptions !== null) {
      if (order !== 'legacy') c.fail('/sortOptions/legacySortOptions', 'legacySortOptions goes with order: legacy', 'set order: legacy, or remove legacySortOptions');
      const l = c.map(m.legacySortOptions, '/sortOptions/legacySortOptions');
      c.keys(l, LIST_FIELDS_OF.legacySortOptions, '/sortOptions/legacySortOptions');
      sort.orderFirst = c.stringList(l.orderFirst, '/sortOptions/legacySortOptions/orderFirst').map((x) => x.value);
      sort.orderLast = c.stringList(l.orderLast, '/sortOptions/legacySortOptions/orderLast').map((x) => x.value);
    }
    out.sortOptions = sort;
  }
  return out;
}

/** Kustomize's MergeGlobalOptionsIntoLocal: the entry's own labels/annotations win. */
function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions | undefined {
  if (!global) return local;
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (global.labels) out.labels = { ...global.labels, ...(local?.labels ?? {}) };
  if (global.annotations) out.annotations = { ...global.annotations, ...(local?.annotations ?? {}) };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}
