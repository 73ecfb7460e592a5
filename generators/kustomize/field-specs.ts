/**
 * Kustomize's field specs: "this path, in objects of this group/version/kind" tables that say
 * where labels, annotations, the namespace, images and replicas go, and a walker that visits the
 * fields a spec names. Paths are slash-separated (`\/` escapes a slash inside a key); a list on the
 * way is walked element by element (`containers[]` says so explicitly); `create` makes missing
 * fields on the way. The tables are compiled once at module load.
 */
import type { Gvk } from './resource.js';

export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  /** Path segments, unescaped; a trailing `[]` is dropped into `seq`. */
  path: string[];
  seq: boolean[];
  create: boolean;
}

/** Splits `a/b\/c/d[]` into segments, honouring `\/`. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function fieldSpec(path: string, opts: { group?: string; version?: string; kind?: string; create?: boolean } = {}): FieldSpec {
  const raw = splitPath(path);
  return {
    group: opts.group,
    version: opts.version,
    kind: opts.kind,
    path: raw.map((s) => (s.endsWith('[]') ? s.slice(0, -2) : s)),
    seq: raw.map((s) => s.endsWith('[]')),
    create: opts.create ?? false,
  };
}

export function specMatches(spec: FieldSpec, gvk: Gvk): boolean {
  return (!spec.kind || spec.kind === gvk.kind) && (!spec.group || spec.group === gvk.group) && (!spec.version || spec.version === gvk.version);
}

/** What to create at the end of the path when it is missing: a scalar or a mapping; null: never. */
export type CreateKind = 'scalar' | 'map' | null;

/** Thrown when a path runs into a scalar before its end (Kustomize refuses the same). */
export class FieldPathError extends Error {}

/**
 * Calls `set(holder, key, path)` for every field `spec` reaches in `obj` (holder[key] is the field's
 * current value, possibly null; `path` the field's path from the object's root). Does nothing when
 * the spec does not apply to `gvk`.
 */
export function visitFieldSpec(
  obj: Record<string, unknown>,
  gvk: Gvk,
  spec: FieldSpec,
  createKind: CreateKind,
  set: (holder: Record<string, unknown> | unknown[], key: string | number, path: (string | number)[]) => void,
): void {
  if (!specMatches(spec, gvk)) return;
  const trail: (string | number)[] = [];
  const walk = (holder: Record<string, unknown> | unknown[], key: string | number, i: number): void => {
    const node = (holder as Record<string | number, unknown>)[key];
    if (i === spec.path.length) {
      set(holder, key, trail.slice());
      return;
    }
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (let j = 0; j < node.length; j++) {
        trail.push(j);
        walk(node, j, i);
        trail.pop();
      }
      return;
    }
    if (typeof node !== 'object') throw new FieldPathError(`expected a mapping or a list at '${spec.path.slice(0, i).join('/')}'`);
    const map = node as Record<string, unknown>;
    const name = spec.path[i]!;
    const last = i === spec.path.length - 1;
    if (!spec.create || createKind === null || spec.seq[i]) {
      if (!(name in map)) return;
    } else {
      const kind = last ? createKind : 'map';
      const value = map[name];
      if (value === undefined || value === null) map[name] = kind === 'map' ? {} : '';
    }
    trail.push(name);
    walk(map, name, i + 1);
    trail.pop();
  };
  walk({ root: obj }, 'root', 0);
}

// ---- The default tables (Kustomize's built-in configuration) ----

type Row = [path: string, kind?: string, group?: string, version?: string];
const rows = (list: Row[], create: boolean): FieldSpec[] =>
  list.map(([path, kind, group, version]) => fieldSpec(path, { kind, group, version, create }));

/** Labels on the object and on the pod (and claim) templates it holds. */
const METADATA_LABELS: FieldSpec[] = rows(
  [
    ['metadata/labels'],
    ['spec/template/metadata/labels', 'ReplicationController', undefined, 'v1'],
    ['spec/template/metadata/labels', 'Deployment'],
    ['spec/template/metadata/labels', 'ReplicaSet'],
    ['spec/template/metadata/labels', 'DaemonSet'],
    ['spec/template/metadata/labels', 'StatefulSet', 'apps'],
    ['spec/volumeClaimTemplates[]/metadata/labels', 'StatefulSet', 'apps'],
    ['spec/template/metadata/labels', 'Job', 'batch'],
    ['spec/jobTemplate/metadata/labels', 'CronJob', 'batch'],
    ['spec/jobTemplate/spec/template/metadata/labels', 'CronJob', 'batch'],
  ],
  true,
);

const AFFINITY = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** commonLabels (and labels with includeSelectors): metadata, templates and selectors. */
export const COMMON_LABELS: FieldSpec[] = [
  ...rows(
    [
      ['spec/selector', 'Service', undefined, 'v1'],
      ['spec/selector', 'ReplicationController', undefined, 'v1'],
      ['spec/selector/matchLabels', 'Deployment'],
    ],
    true,
  ),
  ...rows(AFFINITY.map((p): Row => [p, 'Deployment', 'apps']), false),
  ...rows(
    [
      ['spec/selector/matchLabels', 'ReplicaSet'],
      ['spec/selector/matchLabels', 'DaemonSet'],
      ['spec/selector/matchLabels', 'StatefulSet', 'apps'],
    ],
    true,
  ),
  ...rows(AFFINITY.map((p): Row => [p, 'StatefulSet', 'apps']), false),
  ...rows(
    [
      ['spec/selector/matchLabels', 'Job', 'batch'],
      ['spec/jobTemplate/spec/selector/matchLabels', 'CronJob', 'batch'],
      ['spec/selector/matchLabels', 'PodDisruptionBudget', 'policy'],
      ['spec/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io'],
      ['spec/ingress/from/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io'],
      ['spec/egress/to/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io'],
    ],
    false,
  ),
  ...METADATA_LABELS,
];

/** labels with includeTemplates: metadata and templates, no selectors. */
export const TEMPLATE_LABELS: FieldSpec[] = METADATA_LABELS;

export const METADATA_LABELS_ONLY: FieldSpec[] = [fieldSpec('metadata/labels', { create: true })];

export const COMMON_ANNOTATIONS: FieldSpec[] = rows(
  [
    ['metadata/annotations'],
    ['spec/template/metadata/annotations', 'ReplicationController', undefined, 'v1'],
    ['spec/template/metadata/annotations', 'Deployment'],
    ['spec/template/metadata/annotations', 'ReplicaSet'],
    ['spec/template/metadata/annotations', 'DaemonSet'],
    ['spec/template/metadata/annotations', 'StatefulSet'],
    ['spec/template/metadata/annotations', 'Job', 'batch'],
    ['spec/jobTemplate/metadata/annotations', 'CronJob', 'batch'],
    ['spec/jobTemplate/spec/template/metadata/annotations', 'CronJob', 'batch'],
  ],
  true,
);

/** Extra namespace fields (metadata/namespace itself is handled apart). */
export const NAMESPACE_FIELDS: FieldSpec[] = [
  fieldSpec('spec/service/namespace', { group: 'apiregistration.k8s.io', kind: 'APIService', create: true }),
  fieldSpec('spec/conversion/webhook/clientConfig/service/namespace', { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }),
];

export const REPLICA_KINDS = ['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'];

/** Merges field specs the way Kustomize's FsSlice.MergeAll does: same gvk and path once. */
export function mergeFieldSpecs(a: FieldSpec[], b: FieldSpec[]): FieldSpec[] {
  const out = [...a];
  const key = (s: FieldSpec) => `${s.group ?? ''}|${s.version ?? ''}|${s.kind ?? ''}|${s.path.join('/')}`;
  const seen = new Set(out.map(key));
  for (const s of b) {
    if (!seen.has(key(s))) {
      seen.add(key(s));
      out.push(s);
    }
  }
  return out;
}
