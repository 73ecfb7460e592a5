/**
 * Objects a team brings (a Kustomize build, a team's cdk8s chart) made part of the fleet, with
 * as little change as will do, each documented in the README ("Bring your own manifests"):
 * - a namespaced object with no namespace gets the app's (where its Application deploys, so the
 *   rendered file says what Argo CD would do); a cluster-scoped one loses any namespace, as the
 *   API server ignores it. Cluster-scoped: the kinds of charts/object.ts and the kinds of the
 *   CustomResourceDefinitions of `Cluster` scope among the app's own objects;
 * - the standard labels it lacks are filled in on the object and its pod template
 *   (app.kubernetes.io/name, instance, part-of (the team of the app's aws-access.yaml, else the
 *   app's name), managed-by, environment; app.kubernetes.io/version
 *   from a workload's first container image tag). A label the object already has is never
 *   changed, and selectors are never touched (a Deployment's selector is immutable).
 * Pure: the objects are copied where they change.
 */
import { MANAGED_BY } from '../charts/labels.js';
import { BridgeError } from '../core/errors.js';
import { CLUSTER_SCOPED_KINDS, type KubeObject, type RenderedObject } from '../charts/object.js';
import { TEMPLATE_PATHS } from '../check/policies/pods.js';

/** Whether a kind is cluster-scoped: built in, or named by a cluster-scoped CRD (`crdKinds`). */
export function clusterScoped(kind: string, crdKinds?: ReadonlySet<string>): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || (crdKinds?.has(kind) ?? false);
}

/** What the adoption reads of the app. */
export interface AdoptingApp {
  name: string;
  environment: string;
  namespace: string;
  team?: string;
  awsServiceAccount?: { name: string; identity: 'irsa' | 'pod-identity'; file: string; line?: number };
}

/** `<group>/<kind>` of each cluster-scoped CRD among the objects: their kinds are cluster-scoped too. */
function clusterScopedCrdKinds(objects: readonly RenderedObject[]): Set<string> {
  const out = new Set<string>();
  for (const { object } of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const spec = object.spec as { scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (spec?.scope === 'Cluster' && typeof spec.names?.kind === 'string') out.add(spec.names.kind);
  }
  return out;
}

export function adoptObjects(objects: readonly RenderedObject[], app: AdoptingApp): RenderedObject[] {
  const crdKinds = clusterScopedCrdKinds(objects);
  const sa = app.awsServiceAccount;
  if (sa) checkAwsServiceAccount(objects, app, sa);
  const standard = (own: Record<string, string> | undefined, version: string | undefined): Record<string, string> => ({
    'app.kubernetes.io/name': app.name,
    'app.kubernetes.io/instance': `${app.name}-${app.environment}`,
    'app.kubernetes.io/part-of': app.team ?? app.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    environment: app.environment,
    ...(version !== undefined && { 'app.kubernetes.io/version': version }),
    ...own,
  });
  return objects.map(({ object, source, lineOf }) => {
    const metadata = { ...object.metadata };
    if (clusterScoped(object.kind, crdKinds)) delete metadata.namespace;
    else if (metadata.namespace === undefined || metadata.namespace === '') metadata.namespace = app.namespace;
    const version = imageVersion(object);
    metadata.labels = standard(metadata.labels, version);
    const adopted: KubeObject = { ...object, metadata };
    // The pod template's missing standard labels are the object's own (which may be the team's).
    const own = Object.fromEntries(Object.entries(metadata.labels).filter(([k]) => STANDARD.has(k)));
    withPodTemplateLabels(adopted, (labels) => ({ ...own, ...labels }));
    return { object: adopted, source, ...(lineOf && { lineOf }) };
  });
}

/** The labels adoption fills in. */
const STANDARD = new Set([
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/version',
  'environment',
]);

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The object's pod template (and the pod spec in it), if its kind has one. */
function podTemplate(object: KubeObject): Json | undefined {
  const path = TEMPLATE_PATHS[object.kind];
  if (!path) return undefined;
  let at: unknown = object;
  for (const key of path) at = isMap(at) ? at[key] : undefined;
  return isMap(at) ? at : undefined;
}

/** A label-safe version from the first container image of a workload's pod template: its tag, or a shortened digest. */
function imageVersion(object: KubeObject): string | undefined {
  const spec = podTemplate(object)?.spec;
  const containers = isMap(spec) && Array.isArray(spec.containers) ? spec.containers : [];
  const image = isMap(containers[0]) && typeof containers[0].image === 'string' ? containers[0].image : undefined;
  if (image === undefined) return undefined;
  const at = image.indexOf('@');
  if (at >= 0) return `sha256-${image.slice(at + 1).replace(/^sha256:/, '').slice(0, 16)}`;
  const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  return tag?.slice(0, 63);
}

/** Replaces the pod template's labels (copying the path down to them), if the object has a pod template. */
function withPodTemplateLabels(object: KubeObject, labels: (own: Record<string, string> | undefined) => Record<string, string>): void {
  const path = TEMPLATE_PATHS[object.kind];
  if (!path || !podTemplate(object)) return;
  let parent: Json = object;
  for (const key of path) {
    const copy = { ...(parent[key] as Json) };
    parent[key] = copy;
    parent = copy;
  }
  const metadata = isMap(parent.metadata) ? { ...parent.metadata } : {};
  metadata.labels = labels(isMap(metadata.labels) ? (metadata.labels as Record<string, string>) : undefined);
  parent.metadata = metadata;
}

/**
 * The ServiceAccount an app's aws-access.yaml names is one it renders, and it carries the IRSA
 * annotation only under IRSA: with Pod Identity an `eks.amazonaws.com/role-arn` left from a
 * vendored manifest would make the AWS SDKs try IRSA first, and fail.
 */
function checkAwsServiceAccount(objects: readonly RenderedObject[], app: AdoptingApp, sa: NonNullable<AdoptingApp['awsServiceAccount']>): void {
  const account = objects.find(({ object }) => object.kind === 'ServiceAccount' && object.metadata.name === sa.name && (object.metadata.namespace ?? app.namespace) === app.namespace);
  const at = { file: sa.file, pointer: '/spec/serviceAccount/name', ...(sa.line !== undefined && { line: sa.line }) };
  if (!account) {
    throw new BridgeError({
      code: 'unknown-reference',
      message: `the ${sa.identity === 'pod-identity' ? 'Pod Identity' : 'IRSA'} role of "${app.name}" trusts ServiceAccount ${app.namespace}/${sa.name}, which the app does not render in environment "${app.environment}"`,
      ...at,
      hint: `name a ServiceAccount the app renders in namespace ${app.namespace} (its pods run as it), or render one`,
    });
  }
  const line = account.lineOf?.('/metadata/annotations');
  if (sa.identity === 'pod-identity' && account.object.metadata.annotations?.['eks.amazonaws.com/role-arn'] !== undefined) {
    throw new BridgeError({
      code: 'render',
      message: `ServiceAccount ${app.namespace}/${sa.name} of "${app.name}" uses EKS Pod Identity but carries the IRSA annotation eks.amazonaws.com/role-arn (environment "${app.environment}")`,
      file: account.source,
      ...(line !== undefined && { line }),
      pointer: '/metadata/annotations/eks.amazonaws.com~1role-arn',
      hint: `remove the annotation from the ServiceAccount (the AWS SDKs would try IRSA first, and fail), or set identity: irsa in ${sa.file}`,
    });
  }
}
