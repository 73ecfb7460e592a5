/** A rendered Kubernetes object, as plain JSON; and the typed Kubernetes API classes the charts build them with. */
import { createRequire } from 'node:module';

/**
 * cdk8s-plus-33's generated `k8s` classes (KubeDeployment, KubeService...), loaded on their own:
 * importing the package's index through ESM makes Node scan every file of the library for its
 * exports (the 3 MB k8s.js among them), a few hundred milliseconds at every start.
 */
export const k8s = createRequire(import.meta.url)('cdk8s-plus-33/lib/imports/k8s.js') as typeof import('cdk8s-plus-33/lib/imports/k8s.js');

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
}

/** Kinds that live outside any namespace. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ClusterSecretStore',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);
