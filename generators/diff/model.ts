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
  | 'namespace-move';

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
  resources: ResourceChange[];
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
