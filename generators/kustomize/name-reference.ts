/**
 * Name references: after prefixes, suffixes, namespaces and hashes renamed objects, every field
 * that names one of them (a pod's ConfigMap volume, a RoleBinding's roleRef and subjects, an
 * Ingress backend, an HPA's scaleTargetRef...) is rewritten to the new name, by Kustomize's
 * built-in nameReference table and its rules for choosing among candidates (same previous name,
 * same kind, same namespace as the referrer, same prefixes and suffixes). The table is expanded
 * once at module load into per-referrer-kind lists.
 */
import { fieldSpec, visitFieldSpec, type FieldSpec } from './field-specs.js';
import { effectiveNamespace, gvkSelected, idString, NOT_A_NAMESPACE, type Gvk, type Resource } from './resource.js';

interface Reference {
  /** The kind of object referred to. */
  target: Partial<Gvk>;
  /** Where the referrer names it. */
  spec: FieldSpec;
}

type Where = [path: string, kind: string, group?: string, version?: string];

/** Where each workload kind holds its pod spec (Pod itself with version v1). */
const POD_SPEC_HOLDERS: Where[] = [
  ['spec', 'Pod', undefined, 'v1'],
  ['template/spec', 'PodTemplate'],
  ['spec/template/spec', 'Deployment'],
  ['spec/template/spec', 'ReplicaSet'],
  ['spec/template/spec', 'DaemonSet'],
  ['spec/template/spec', 'StatefulSet'],
  ['spec/template/spec', 'Job'],
  ['spec/jobTemplate/spec/template/spec', 'CronJob'],
];
/** Holders of pod specs that reference service accounts, claims and priority classes. */
const POD_SPEC_HOLDERS_2: Where[] = [
  ['spec', 'Pod'],
  ['spec/template/spec', 'StatefulSet'],
  ['spec/template/spec', 'Deployment'],
  ['spec/template/spec', 'ReplicationController'],
  ['spec/jobTemplate/spec/template/spec', 'CronJob'],
  ['spec/template/spec', 'Job'],
  ['spec/template/spec', 'DaemonSet'],
];

const inPodSpecs = (holders: Where[], paths: string[]): Where[] =>
  holders.flatMap(([prefix, kind, group, version]) => paths.map((p): Where => [`${prefix}/${p}`, kind, group, version]));

const CONFIG_MAP_IN_POD = [
  'volumes/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
  'volumes/projected/sources/configMap/name',
];
const SECRET_IN_POD = [
  'volumes/secret/secretName',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
  'volumes/projected/sources/secret/name',
];

const TABLE: [target: Partial<Gvk>, referrers: Where[]][] = [
  [{ kind: 'Deployment' }, [['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]],
  [{ kind: 'ReplicationController' }, [['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]],
  [{ kind: 'ReplicaSet' }, [['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]],
  [{ kind: 'StatefulSet' }, [['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]],
  [
    { kind: 'ConfigMap', version: 'v1' },
    [
      ...inPodSpecs(POD_SPEC_HOLDERS, CONFIG_MAP_IN_POD),
      ['spec/configSource/configMap', 'Node'],
      ['rules/resourceNames', 'Role'],
      ['rules/resourceNames', 'ClusterRole'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', 'Ingress'],
    ],
  ],
  [
    { kind: 'Secret', version: 'v1' },
    [
      ...inPodSpecs(POD_SPEC_HOLDERS, SECRET_IN_POD),
      ['spec/tls/secretName', 'Ingress'],
      ['metadata/annotations/ingress.kubernetes.io\\/auth-secret', 'Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', 'Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', 'Ingress'],
      ['imagePullSecrets/name', 'ServiceAccount'],
      ['parameters/secretName', 'StorageClass'],
      ['parameters/adminSecretName', 'StorageClass'],
      ['parameters/userSecretName', 'StorageClass'],
      ['parameters/secretRef', 'StorageClass'],
      ['rules/resourceNames', 'Role'],
      ['rules/resourceNames', 'ClusterRole'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Service', 'serving.knative.dev', 'v1'],
      ['spec/azureFile/secretName', 'PersistentVolume'],
    ],
  ],
  [
    { kind: 'Service', version: 'v1' },
    [
      ['spec/serviceName', 'StatefulSet', 'apps'],
      ['spec/rules/http/paths/backend/serviceName', 'Ingress'],
      ['spec/backend/serviceName', 'Ingress'],
      ['spec/rules/http/paths/backend/service/name', 'Ingress'],
      ['spec/defaultBackend/service/name', 'Ingress'],
      ['spec/service/name', 'APIService', 'apiregistration.k8s.io'],
      ['webhooks/clientConfig/service', 'ValidatingWebhookConfiguration', 'admissionregistration.k8s.io'],
      ['webhooks/clientConfig/service', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io'],
    ],
  ],
  [{ kind: 'Role', group: 'rbac.authorization.k8s.io' }, [['roleRef/name', 'RoleBinding', 'rbac.authorization.k8s.io']]],
  [
    { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io' },
    [
      ['roleRef/name', 'RoleBinding', 'rbac.authorization.k8s.io'],
      ['roleRef/name', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
    ],
  ],
  [
    { kind: 'ServiceAccount', version: 'v1' },
    [
      ['subjects', 'RoleBinding', 'rbac.authorization.k8s.io'],
      ['subjects', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
      ...inPodSpecs(POD_SPEC_HOLDERS_2, ['serviceAccountName']),
    ],
  ],
  [{ kind: 'PersistentVolumeClaim', version: 'v1' }, inPodSpecs(POD_SPEC_HOLDERS_2, ['volumes/persistentVolumeClaim/claimName'])],
  [
    { kind: 'PersistentVolume', version: 'v1' },
    [
      ['spec/volumeName', 'PersistentVolumeClaim'],
      ['rules/resourceNames', 'ClusterRole'],
    ],
  ],
  [
    { kind: 'StorageClass', version: 'v1', group: 'storage.k8s.io' },
    [
      ['spec/storageClassName', 'PersistentVolume'],
      ['spec/storageClassName', 'PersistentVolumeClaim'],
      ['spec/volumeClaimTemplates/spec/storageClassName', 'StatefulSet'],
    ],
  ],
  [{ kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io' }, inPodSpecs(POD_SPEC_HOLDERS_2, ['priorityClassName'])],
  // Kustomize's table names this group 'networking.k8s.io/v1', so it never matches: kept as it behaves.
  [{ kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1' }, [['spec/ingressClassName', 'Ingress']]],
  [
    { kind: 'ValidatingAdmissionPolicy', group: 'admissionregistration.k8s.io' },
    [['spec/policyName', 'ValidatingAdmissionPolicyBinding', 'admissionregistration.k8s.io']],
  ],
];

/** Referrer kind -> the references objects of that kind may hold. */
const BY_REFERRER_KIND = new Map<string, Reference[]>();
for (const [target, referrers] of TABLE) {
  for (const [path, kind, group, version] of referrers) {
    const list = BY_REFERRER_KIND.get(kind) ?? [];
    list.push({ target, spec: fieldSpec(path, { kind, group, version }) });
    BY_REFERRER_KIND.set(kind, list);
  }
}

export class NameReferenceError extends Error {
  constructor(
    message: string,
    readonly resource: Resource,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Rewrites every name reference in `resources` (in place). */
export function fixNameReferences(resources: Resource[]): void {
  for (const referrer of resources) {
    const refs = BY_REFERRER_KIND.get(referrer.kind);
    if (!refs) continue;
    const gvk = referrer.gvk();
    let candidates: Resource[] | undefined;
    for (const ref of refs) {
      visitFieldSpec(referrer.obj, gvk, ref.spec, null, (holder, key) => {
        candidates ??= couldBeReferencedBy(referrer, resources);
        update(holder as Record<string | number, unknown>, key, referrer, ref, candidates);
      });
    }
  }
}

function couldBeReferencedBy(referrer: Resource, all: Resource[]): Resource[] {
  const id = referrer.curId();
  if (id.clusterScoped) return all;
  const ns = effectiveNamespace(id);
  const bindingNamespaces = new Set<string>();
  if (referrer.kind === 'RoleBinding' && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects as Record<string, unknown>[]) {
      if (s && typeof s === 'object' && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') bindingNamespaces.add(s.namespace);
    }
  }
  return all.filter((r) => {
    const rid = r.curId();
    return rid.clusterScoped || effectiveNamespace(rid) === ns || bindingNamespaces.has(r.namespace);
  });
}

function update(holder: Record<string | number, unknown>, key: string | number, referrer: Resource, ref: Reference, candidates: Resource[]): void {
  const node = holder[key];
  if (node === null || node === undefined) return;
  if (typeof node === 'string') setScalar(holder, key, node, referrer, ref, candidates);
  else if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const el = node[i];
      if (typeof el === 'string') setScalar(node as unknown as Record<number, unknown>, i, el, referrer, ref, candidates);
      else if (el && typeof el === 'object' && !Array.isArray(el)) setMapping(el as Record<string, unknown>, referrer, ref, candidates);
      else if (el !== null) throw new NameReferenceError(`'${ref.spec.path.join('/')}' holds an element that is neither a name nor a mapping`, referrer, `write each element of ${ref.spec.path.join('/')} as a name or as a mapping with name:`);
    }
  } else if (typeof node === 'object') setMapping(node as Record<string, unknown>, referrer, ref, candidates);
}

function setScalar(holder: Record<string | number, unknown>, key: string | number, oldName: string, referrer: Resource, ref: Reference, candidates: Resource[]): void {
  const referral = selectReferral(oldName, candidates, referrer, ref, (rs) => rs.every((r) => r.name === rs[0]!.name));
  if (!referral) return;
  if (referral.name !== oldName) holder[key] = referral.name;
}

function setMapping(node: Record<string, unknown>, referrer: Resource, ref: Reference, candidates: Resource[]): void {
  if (!('name' in node)) throw new NameReferenceError(`'${ref.spec.path.join('/')}' has no 'name' field`, referrer, `add name: to ${ref.spec.path.join('/')}`);
  let pool = candidates;
  if ('namespace' in node) {
    const ns = String(node.namespace ?? '');
    const byOriginal = pool.filter((r) => {
      const e = effectiveNamespace(r.orgId());
      return e !== NOT_A_NAMESPACE && e === ns;
    });
    pool = byOriginal.length > 0 ? byOriginal : pool.filter((r) => {
      const e = effectiveNamespace(r.curId());
      return e !== NOT_A_NAMESPACE && e === ns;
    });
  }
  const oldName = String(node.name ?? '');
  const referral = selectReferral(oldName, pool, referrer, ref, (rs) => rs.every((r) => r.name === rs[0]!.name && r.namespace === rs[0]!.namespace));
  if (!referral) return;
  if (referral.name === oldName && referral.namespace === '') return;
  node.name = referral.name;
  if (referral.namespace !== '') node.namespace = referral.namespace;
}

function sameEndingSubSlice(a: string[], b: string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const diff = long.length - short.length;
  if (short.length === 0) return diff === 0;
  for (let i = short.length - 1; i >= 0; i--) if (long[i + diff] !== short[i]) return false;
  return true;
}

function prefixSuffixEquals(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const prefixOk = r.prefixes.length === 0 || o.prefixes.length === 0 || sameEndingSubSlice(r.prefixes, o.prefixes);
    const suffixOk = r.suffixes.length === 0 || o.suffixes.length === 0 || sameEndingSubSlice(r.suffixes, o.suffixes);
    return prefixOk && suffixOk;
  }
  return sameEndingSubSlice(r.prefixes, o.prefixes) && sameEndingSubSlice(r.suffixes, o.suffixes);
}

function selectReferral(oldName: string, pool: Resource[], referrer: Resource, ref: Reference, identical: (rs: Resource[]) => boolean): Resource | undefined {
  let roleRef: Partial<Gvk> | undefined;
  if (ref.spec.path.length >= 2 && ref.spec.path[ref.spec.path.length - 2] === 'roleRef') {
    const rr = referrer.obj.roleRef as Record<string, unknown> | undefined;
    if (rr && typeof rr === 'object' && rr.apiGroup != null && rr.kind != null) roleRef = { group: String(rr.apiGroup), kind: String(rr.kind) };
  }
  const referrerId = referrer.curId();
  const referrerNs = effectiveNamespace(referrerId);
  let found = pool.filter((r) => {
    const prev = r.previousIds();
    if (!prev.some((id) => id.name === oldName)) return false;
    if (!prev.some((id) => gvkSelected(id, ref.target))) return false;
    if (roleRef && !prev.some((id) => gvkSelected(id, roleRef!))) return false;
    if (referrerId.clusterScoped) return true;
    const cid = r.curId();
    return cid.clusterScoped || r.kind === 'ServiceAccount' || effectiveNamespace(cid) === referrerNs;
  });
  if (found.length === 1) return found[0];
  found = found.filter((r) => prefixSuffixEquals(r, referrer, true));
  if (found.length > 1) found = found.filter((r) => prefixSuffixEquals(r, referrer, false));
  if (found.length === 1) return found[0];
  if (found.length === 0) return undefined;
  if (identical(found)) return found[0];
  throw new NameReferenceError(
    `'${ref.spec.path.join('/')}' names '${oldName}', which could be any of ${found.map((r) => idString(r.curId())).join(', ')}`,
    referrer,
    'give the objects distinct names or namespaces, or set the namespace of the reference',
  );
}
