/**
 * What `diff` computes: the resources a render adds, removes and changes against a base,
 * grouped per environment and app, with field-level changes and risk flags. The JSON output
 * (schemas/diff.schema.json) is this model without the canonical YAML texts.
 */

export type ChangeStatus = 'added' | 'removed' | 'changed';

/** Changes a reviewer should look at twice; the markdown comment lists them first. */
export type RiskType =
  | 'deletion'
  | 'production'
  | 'scale-to-zero'
  | 'image'
  | 'rbac'
  | 'cluster-scoped'
  | 'pvc'
  | 'crd'
  | 'namespace-move'
  | 'rollout';

export const RISK_TYPES: readonly RiskType[] = [
  'deletion',
  'production',
  'scale-to-zero',
  'image',
  'rbac',
  'cluster-scoped',
  'pvc',
  'crd',
  'namespace-move',
  'rollout',
];

export interface Risk {
  type: RiskType;
  /** One line for people, e.g. "image 2.8.1 -> 2.9.0". */
  detail: string;
}

export type FieldOp = 'add' | 'remove' | 'replace';

export interface FieldChange {
  /** Readable path: `spec.template.spec.containers[name=api].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  op: FieldOp;
  before?: unknown;
  after?: unknown;
}

export interface ResourceChange {
  status: ChangeStatus;
  /** Path under rendered/ (the new one; for a removed resource, the old one). */
  path: string;
  /** Set when the resource moved from another file (another app, or another namespace). */
  previousPath?: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** Set when the namespace changed. */
  previousNamespace?: string;
  /** Field-level changes, for `changed` only. */
  fields: FieldChange[];
  risks: Risk[];
  /** Canonical YAML of each side (absent on the side that does not exist). Not in the JSON output. */
  beforeYaml?: string;
  afterYaml?: string;
}

export interface Counts {
  added: number;
  changed: number;
  removed: number;
}

export interface AppDiff extends Counts {
  /** The directory under rendered/<env>/ ("" for files directly in the environment's directory). */
  name: string;
  /** Every change but the version-only ones (counted in `changed` all the same). */
  resources: ResourceChange[];
  /** Changed resources whose only difference is the app.kubernetes.io/version label: one line, not one diff each. */
  versionOnly?: VersionOnlyGroup;
}

/** The label a version bump changes on every object of an app (object and pod template labels). */
export const VERSION_LABEL = 'app.kubernetes.io/version';

export interface VersionOnlyGroup {
  /** The changed resources it stands for, in path order. */
  resources: Pick<ResourceChange, 'path' | 'apiVersion' | 'kind' | 'name' | 'namespace'>[];
  /** Each distinct value change of the label and on how many resources (null: label absent on that side). */
  versions: { before: string | null; after: string | null; count: number }[];
}

/** "7 objects: only app.kubernetes.io/version 1.4.0 -> 1.5.0". */
export function versionOnlyLine(g: VersionOnlyGroup): string {
  const n = g.resources.length;
  const value = (v: string | null) => v ?? '(none)';
  const versions = g.versions.map((v) => `${value(v.before)} -> ${value(v.after)}${g.versions.length > 1 ? ` (${v.count})` : ''}`).join(', ');
  return `${n} object${n === 1 ? '' : 's'}: only ${VERSION_LABEL} ${versions}`;
}

export interface EnvironmentDiff extends Counts {
  name: string;
  /** From the environment spec (development, staging, production); absent for argocd/ and removed environments. */
  tier?: string;
  apps: AppDiff[];
}

export interface BaseInfo {
  /** The ref as the user gave it (HEAD by default). */
  ref: string;
  /** The commit it resolved to. */
  commit?: string;
  /** Where the base manifests came from: rendered/ in that commit, the root of a `rendered` branch commit, or nothing. */
  layout: 'rendered-dir' | 'rendered-branch' | 'empty';
  /** For people: "rendered/ at HEAD (1a2b3c4)". */
  description: string;
}

export interface DiffReport extends Counts {
  base: BaseInfo;
  /** Resources identical on both sides. */
  unchanged: number;
  /** Every environment directory seen on either side, changed or not (for summary tables). */
  compared: { name: string; tier?: string }[];
  environments: EnvironmentDiff[];
}

export function hasDifferences(report: Counts): boolean {
  return report.added + report.changed + report.removed > 0;
}

/** `Deployment orders/orders-api`, `ClusterRole external-dns`, or the path when the file is not a Kubernetes object. */
export function resourceLabel(r: Pick<ResourceChange, 'kind' | 'name' | 'namespace' | 'path'>): string {
  if (!r.kind || !r.name) return r.path;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** Every resource of the report with the environment and app it is listed under, in report order. */
export function* allResources(report: DiffReport): Generator<{ env: EnvironmentDiff; app: AppDiff; resource: ResourceChange }> {
  for (const env of report.environments) {
    for (const app of env.apps) {
      for (const resource of app.resources) yield { env, app, resource };
    }
  }
}
