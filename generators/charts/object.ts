/**
 * A rendered Kubernetes object, as plain JSON; and the typed Kubernetes API classes the charts
 * build them with: cdk8s-plus-33's `k8s`, from its package entry. That loads the whole library
 * (its higher-level constructs too), about 50 ms more at each start of a process or worker that
 * renders than requiring its private lib/imports/k8s.js alone (measured: 0.43 s against 0.48 s of
 * CPU for a process loading cdk8s and `k8s`, median of 15); a private path can move in any release.
 */
export { k8s } from 'cdk8s-plus-33';

/** A rendered Kubernetes object, as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A rendered object and the spec file that produced it (for error messages, the check stage and reviews). */
export interface RenderedObject {
  object: KubeObject;
  source: string;
  /**
   * Line in `source` of a pointer inside the object, where the object was written there (a
   * Kustomize app's resource file): what a finding's line is. In this thread only.
   */
  lineOf?(pointer: string): number | undefined;
}

/**
 * Kinds that live outside any namespace: the built-in ones, and those of common addons (cert-manager's
 * ClusterIssuer, External Secrets' ClusterSecretStore, CSI snapshots). A custom resource's scope
 * is otherwise read from its CRD where one is rendered beside it (sources/own-objects.ts).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterIssuer',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterSecretStore',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'DeviceClass',
  'FlowSchema',
  'IngressClass',
  'IPAddress',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'ServiceCIDR',
  'StorageClass',
  'StorageVersionMigration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
  'VolumeAttributesClass',
  'VolumeSnapshotClass',
]);
