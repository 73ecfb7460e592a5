/**
 * The patch merge keys and strategies Kustomize's strategic merge uses for built-in kinds.
 *
 * Kustomize v5.5 (kyaml v0.18.1, what `kubectl kustomize` runs) does not read the Kubernetes
 * API of the cluster or of its own release: it carries one compiled-in OpenAPI document, of
 * Kubernetes v1.21.2, and takes `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`
 * / `x-kubernetes-list-map-keys` from it. So this table is that document's, not Kubernetes
 * 1.33's: a list field added after 1.21 (a pod's resourceClaims, schedulingGates, ...) or a
 * kind added after it (autoscaling/v2 HorizontalPodAutoscaler, flowcontrol v1, ...) has no
 * schema there, and Kustomize replaces such lists instead of merging them. Where a field has
 * several list-map keys (container ports: containerPort + protocol) kyaml uses all of them.
 * `retainKeys` (volumes) is part of the strategy string but kyaml acts only on `merge`.
 *
 * The table keeps only the types on a path to a merged list (everything else merges as plain
 * maps and replaced lists, which is what kyaml does with a field it has no merge strategy
 * for). It was derived from kyaml's embedded swagger (decoded and pruned by a throwaway
 * script) and checked entry by entry against kubectl in test/kustomize/strategic-merge.test.ts.
 *
 * Notation of a field: `Type` is a map of that type; `[k1,k2]Type` a list merged by the keys
 * k1+k2 whose elements are of Type (Type omitted when the elements hold no merged list);
 * `[]` a list of primitives merged as a set (finalizers).
 */

/** A map whose fields lead to merged lists. Fields not in `fields` have no merge behaviour. */
export interface MapSchema {
  readonly type: 'map';
  readonly fields: ReadonlyMap<string, FieldSchema>;
}

/** A list with patch strategy `merge`: by `keys`, or as a set of primitives when `keys` is empty. */
export interface ListSchema {
  readonly type: 'list';
  readonly keys: readonly string[];
  readonly element: MapSchema | undefined;
}

export type FieldSchema = MapSchema | ListSchema;

const TYPES: Record<string, Record<string, string>> = {
  ObjectMeta: { finalizers: '[]', ownerReferences: '[uid]' },
  Object: { metadata: 'ObjectMeta' },
  Conditions: { conditions: '[type]' },
  ObjectWithConditions: { metadata: 'ObjectMeta', status: 'Conditions' },
  Container: { env: '[name]', ports: '[containerPort,protocol]', volumeDevices: '[devicePath]', volumeMounts: '[mountPath]' },
  EphemeralContainer: { env: '[name]', volumeDevices: '[devicePath]', volumeMounts: '[mountPath]' },
  Volume: { ephemeral: 'EphemeralVolumeSource' },
  EphemeralVolumeSource: { volumeClaimTemplate: 'Object' },
  PodSpec: {
    containers: '[name]Container',
    ephemeralContainers: '[name]EphemeralContainer',
    hostAliases: '[ip]',
    imagePullSecrets: '[name]',
    initContainers: '[name]Container',
    topologySpreadConstraints: '[topologyKey,whenUnsatisfiable]',
    volumes: '[name]Volume',
  },
  PodStatus: { conditions: '[type]', podIPs: '[ip]' },
  Pod: { metadata: 'ObjectMeta', spec: 'PodSpec', status: 'PodStatus' },
  PodTemplateSpec: { metadata: 'ObjectMeta', spec: 'PodSpec' },
  PodTemplate: { metadata: 'ObjectMeta', template: 'PodTemplateSpec' },
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController: spec.template. */
  WorkloadSpec: { template: 'PodTemplateSpec' },
  Workload: { metadata: 'ObjectMeta', spec: 'WorkloadSpec', status: 'Conditions' },
  JobTemplateSpec: { metadata: 'ObjectMeta', spec: 'WorkloadSpec' },
  CronJobSpec: { jobTemplate: 'JobTemplateSpec' },
  CronJob: { metadata: 'ObjectMeta', spec: 'CronJobSpec' },
  ServiceSpec: { ports: '[port,protocol]' },
  Service: { metadata: 'ObjectMeta', spec: 'ServiceSpec', status: 'Conditions' },
  ServiceAccount: { metadata: 'ObjectMeta', secrets: '[name]' },
  ComponentStatus: { metadata: 'ObjectMeta', conditions: '[type]' },
  NodeSpec: { podCIDRs: '[]' },
  NodeStatus: { addresses: '[type]', conditions: '[type]' },
  Node: { metadata: 'ObjectMeta', spec: 'NodeSpec', status: 'NodeStatus' },
  WebhookConfiguration: { metadata: 'ObjectMeta', webhooks: '[name]' },
  CSINodeSpec: { drivers: '[name]' },
  CSINode: { metadata: 'ObjectMeta', spec: 'CSINodeSpec' },
};

/** apiVersion -> space-separated `Kind` (its type has the kind's name) or `Kind=Type`. */
const KINDS: Record<string, string> = {
  v1:
    'Binding=Object ComponentStatus ConfigMap=Object Endpoints=Object Event=Object LimitRange=Object ' +
    'Namespace=ObjectWithConditions Node PersistentVolume=Object PersistentVolumeClaim=ObjectWithConditions Pod ' +
    'PodTemplate ReplicationController=Workload ResourceQuota=Object Secret=Object Service ServiceAccount',
  'admissionregistration.k8s.io/v1': 'MutatingWebhookConfiguration=WebhookConfiguration ValidatingWebhookConfiguration=WebhookConfiguration',
  'admissionregistration.k8s.io/v1beta1': 'MutatingWebhookConfiguration=WebhookConfiguration ValidatingWebhookConfiguration=WebhookConfiguration',
  'apiextensions.k8s.io/v1': 'CustomResourceDefinition=Object',
  'apiextensions.k8s.io/v1beta1': 'CustomResourceDefinition=Object',
  'apiregistration.k8s.io/v1': 'APIService=ObjectWithConditions',
  'apiregistration.k8s.io/v1beta1': 'APIService=ObjectWithConditions',
  'apps/v1': 'ControllerRevision=Object DaemonSet=Workload Deployment=Workload ReplicaSet=Workload StatefulSet=Workload',
  'authentication.k8s.io/v1': 'TokenRequest=Object TokenReview=Object',
  'authentication.k8s.io/v1beta1': 'TokenReview=Object',
  'authorization.k8s.io/v1': 'LocalSubjectAccessReview=Object SelfSubjectAccessReview=Object SelfSubjectRulesReview=Object SubjectAccessReview=Object',
  'authorization.k8s.io/v1beta1': 'LocalSubjectAccessReview=Object SelfSubjectAccessReview=Object SelfSubjectRulesReview=Object SubjectAccessReview=Object',
  'autoscaling/v1': 'HorizontalPodAutoscaler=Object Scale=Object',
  'autoscaling/v2beta1': 'HorizontalPodAutoscaler=Object',
  'autoscaling/v2beta2': 'HorizontalPodAutoscaler=Object',
  'batch/v1': 'CronJob Job=Workload',
  'batch/v1beta1': 'CronJob',
  'certificates.k8s.io/v1': 'CertificateSigningRequest=Object',
  'certificates.k8s.io/v1beta1': 'CertificateSigningRequest=Object',
  'coordination.k8s.io/v1': 'Lease=Object',
  'coordination.k8s.io/v1beta1': 'Lease=Object',
  'discovery.k8s.io/v1': 'EndpointSlice=Object',
  'discovery.k8s.io/v1beta1': 'EndpointSlice=Object',
  'events.k8s.io/v1': 'Event=Object',
  'events.k8s.io/v1beta1': 'Event=Object',
  'extensions/v1beta1': 'Ingress=Object',
  'flowcontrol.apiserver.k8s.io/v1beta1': 'FlowSchema=Object PriorityLevelConfiguration=Object',
  'networking.k8s.io/v1': 'Ingress=Object IngressClass=Object NetworkPolicy=Object',
  'networking.k8s.io/v1beta1': 'Ingress=Object IngressClass=Object',
  'node.k8s.io/v1': 'RuntimeClass=Object',
  'node.k8s.io/v1beta1': 'RuntimeClass=Object',
  'policy/v1': 'PodDisruptionBudget=ObjectWithConditions',
  'policy/v1beta1': 'Eviction=Object PodDisruptionBudget=ObjectWithConditions PodSecurityPolicy=Object',
  'rbac.authorization.k8s.io/v1': 'ClusterRole=Object ClusterRoleBinding=Object Role=Object RoleBinding=Object',
  'rbac.authorization.k8s.io/v1beta1': 'ClusterRole=Object ClusterRoleBinding=Object Role=Object RoleBinding=Object',
  'scheduling.k8s.io/v1': 'PriorityClass=Object',
  'scheduling.k8s.io/v1beta1': 'PriorityClass=Object',
  'storage.k8s.io/v1': 'CSIDriver=Object CSINode StorageClass=Object VolumeAttachment=Object',
  'storage.k8s.io/v1beta1': 'CSIDriver=Object CSINode CSIStorageCapacity=Object StorageClass=Object VolumeAttachment=Object',
};

/** The compiled types, each built once (fields filled after creation, so types may refer to each other). */
const compiledTypes = new Map<string, { type: 'map'; fields: Map<string, FieldSchema> }>();

function compileType(name: string): MapSchema {
  let schema = compiledTypes.get(name);
  if (schema) return schema;
  const spec = TYPES[name];
  if (!spec) throw new Error(`merge-keys: unknown type ${name}`);
  schema = { type: 'map', fields: new Map() };
  compiledTypes.set(name, schema);
  for (const [field, text] of Object.entries(spec)) schema.fields.set(field, compileField(text));
  return schema;
}

function compileField(text: string): FieldSchema {
  if (!text.startsWith('[')) return compileType(text);
  const close = text.indexOf(']');
  const keys = text.slice(1, close).split(',').filter((k) => k !== '');
  const elementType = text.slice(close + 1);
  return { type: 'list', keys, element: elementType ? compileType(elementType) : undefined };
}

/** apiVersion -> kind -> schema of the object's top level. */
const byKind = new Map<string, Map<string, MapSchema>>();
for (const [apiVersion, list] of Object.entries(KINDS)) {
  const kinds = new Map<string, MapSchema>();
  for (const entry of list.split(' ')) {
    const [kind, type] = entry.split('=') as [string, string | undefined];
    kinds.set(kind, compileType(type ?? kind));
  }
  byKind.set(apiVersion, kinds);
}

/** The schema of a built-in kind's top level, or undefined for a kind Kustomize has no schema for (custom resources). */
export function schemaForKind(apiVersion: string, kind: string): MapSchema | undefined {
  return byKind.get(apiVersion)?.get(kind);
}

/** Every merged list the table knows, as `apiVersion kind path` lines with their keys (for tests and reviews). */
export function mergedListPaths(): { apiVersion: string; kind: string; path: string[]; keys: readonly string[] }[] {
  const out: { apiVersion: string; kind: string; path: string[]; keys: readonly string[] }[] = [];
  const visit = (apiVersion: string, kind: string, schema: MapSchema, path: string[], depth: number) => {
    if (depth > 12) return;
    for (const [field, sub] of schema.fields) {
      if (sub.type === 'list') {
        out.push({ apiVersion, kind, path: [...path, field], keys: sub.keys });
        if (sub.element) visit(apiVersion, kind, sub.element, [...path, field, '*'], depth + 1);
      } else {
        visit(apiVersion, kind, sub, [...path, field], depth + 1);
      }
    }
  };
  for (const [apiVersion, kinds] of byKind) for (const [kind, schema] of kinds) visit(apiVersion, kind, schema, [], 0);
  return out;
}
