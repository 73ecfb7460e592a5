/**
 * One object during a build and the bookkeeping Kustomize keeps beside it (it keeps it in
 * build annotations it strips at the end; here it lives on the side): the ids the object had
 * before namespace, prefix, suffix and hash changed it, the prefixes and suffixes applied, and
 * a generated object's hash and merge behaviour. Ids follow Kustomize's rules: an empty
 * namespace is the `default` one, and cluster-scoped built-in kinds have none.
 */
import type { KubeObject } from '../charts/object.js';

export type Behavior = 'create' | 'merge' | 'replace';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** A resource id: group, version, kind, name and namespace (as written, '' when none). */
export interface ResId extends Gvk {
  name: string;
  namespace: string;
  /** Whether the id's kind is a cluster-scoped built-in (previous ids are never: Kustomize builds them without the lookup). */
  clusterScoped: boolean;
}

export const NOT_A_NAMESPACE = '_non_namespaceable_';

/** Built-in kinds Kustomize knows to be cluster-scoped, by apiVersion (its precomputed table). */
const CLUSTER_SCOPED = new Set(
  [
    'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
    'apiextensions.k8s.io/v1 CustomResourceDefinition',
    'apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
    'apiregistration.k8s.io/v1 APIService',
    'apiregistration.k8s.io/v1beta1 APIService',
    'certificates.k8s.io/v1 CertificateSigningRequest',
    'certificates.k8s.io/v1beta1 CertificateSigningRequest',
    'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema',
    'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration',
    'networking.k8s.io/v1 IngressClass',
    'networking.k8s.io/v1beta1 IngressClass',
    'node.k8s.io/v1 RuntimeClass',
    'node.k8s.io/v1beta1 RuntimeClass',
    'policy/v1beta1 PodSecurityPolicy',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'rbac.authorization.k8s.io/v1beta1 ClusterRole',
    'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
    'scheduling.k8s.io/v1 PriorityClass',
    'scheduling.k8s.io/v1beta1 PriorityClass',
    'storage.k8s.io/v1 CSIDriver',
    'storage.k8s.io/v1 CSINode',
    'storage.k8s.io/v1 StorageClass',
    'storage.k8s.io/v1 VolumeAttachment',
    'storage.k8s.io/v1beta1 CSIDriver',
    'storage.k8s.io/v1beta1 CSINode',
    'storage.k8s.io/v1beta1 StorageClass',
    'storage.k8s.io/v1beta1 VolumeAttachment',
    'v1 ComponentStatus',
    'v1 Namespace',
    'v1 Node',
    'v1 PersistentVolume',
    'authentication.k8s.io/v1 TokenReview',
    'authorization.k8s.io/v1 SelfSubjectAccessReview',
    'authorization.k8s.io/v1 SelfSubjectRulesReview',
    'authorization.k8s.io/v1 SubjectAccessReview',
  ],
);

export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${apiVersion} ${kind}`);
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The namespace two ids compare by: '' and 'default' are one; cluster-scoped ids have none. */
export function effectiveNamespace(id: ResId): string {
  if (id.clusterScoped) return NOT_A_NAMESPACE;
  return id.namespace === '' || id.namespace === 'default' ? 'default' : id.namespace;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return a.name === b.name && a.kind === b.kind && a.group === b.group && a.version === b.version && effectiveNamespace(a) === effectiveNamespace(b);
}

/** Kustomize's gvk selection: an empty selector part matches anything. */
export function gvkSelected(id: Gvk, selector: Partial<Gvk>): boolean {
  return (
    (!selector.group || selector.group === id.group) &&
    (!selector.version || selector.version === id.version) &&
    (!selector.kind || selector.kind === id.kind)
  );
}

export function idString(id: ResId): string {
  const gv = id.group ? `${id.group}/${id.version}` : id.version;
  return `${gv} ${id.kind} ${id.namespace ? id.namespace + '/' : ''}${id.name}`;
}

interface PrevId {
  kind: string;
  name: string;
  namespace: string;
}

export class Resource {
  /** Ids before renames, oldest first (namespace stored as the effective one, as Kustomize does). */
  prevIds: PrevId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  needsHash = false;
  behavior: Behavior | undefined;
  /** Groups of fields (JSON pointers) that hold one shared YAML node in Kustomize (see aliases.ts). */
  sharedFields: string[][] = [];

  constructor(
    public obj: KubeObject,
    /** The file it came from: the resource file, or the kustomization for a generated object. */
    public file: string,
    /** Line in `file` of a pointer inside the object as it was written there (a resource file's objects only). */
    public lineOf?: (pointer: string) => number | undefined,
  ) {}

  get name(): string {
    return typeof this.obj.metadata?.name === 'string' ? this.obj.metadata.name : '';
  }
  get namespace(): string {
    const ns = this.obj.metadata?.namespace;
    return typeof ns === 'string' ? ns : '';
  }
  get kind(): string {
    return typeof this.obj.kind === 'string' ? this.obj.kind : '';
  }
  get apiVersion(): string {
    return typeof this.obj.apiVersion === 'string' ? this.obj.apiVersion : '';
  }
  gvk(): Gvk {
    return { ...splitApiVersion(this.apiVersion), kind: this.kind };
  }
  curId(): ResId {
    const { group, version } = splitApiVersion(this.apiVersion);
    return { group, version, kind: this.kind, name: this.name, namespace: this.namespace, clusterScoped: isClusterScoped(this.apiVersion, this.kind) };
  }
  /** Previous ids with the current group and version, as Kustomize reads them back. */
  previousIds(): ResId[] {
    if (this.prevIds.length === 0) return [];
    const { group, version } = splitApiVersion(this.apiVersion);
    return this.prevIds.map((p) => ({ group, version, kind: p.kind, name: p.name, namespace: p.namespace, clusterScoped: false }));
  }
  /** The id the object was loaded with. */
  orgId(): ResId {
    return this.prevIds.length > 0 ? this.previousIds()[0]! : this.curId();
  }
  /** The current id and every previous one. */
  allIds(): ResId[] {
    return [this.curId(), ...this.previousIds()];
  }
  storePreviousId(): void {
    const id = this.curId();
    this.prevIds.push({ kind: id.kind, name: id.name, namespace: effectiveNamespace(id) });
  }
  setName(name: string): void {
    (this.obj.metadata ??= { name }).name = name;
  }
  setNamespace(namespace: string): void {
    const md = (this.obj.metadata ??= { name: '' });
    if (namespace === '') delete md.namespace;
    else md.namespace = namespace;
  }
  labels(): Record<string, string> {
    const l = this.obj.metadata?.labels;
    return l && typeof l === 'object' ? l : {};
  }
  annotations(): Record<string, string> {
    const a = this.obj.metadata?.annotations;
    return a && typeof a === 'object' ? a : {};
  }
}
