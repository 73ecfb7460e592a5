/** manifests/argocd.yaml with its defaults applied, and the names the hub side uses. Pure. */
import type { Fleet } from '../load/fleet.js';

/** The unit (directory under rendered/, and on the `rendered` branch) holding the hub's objects. */
export const ARGOCD_UNIT = 'argocd';
/** The bootstrap Application (app of apps) that applies argocd/ itself. */
export const BOOTSTRAP_APP = 'gitops-bridge';
export const MANAGED_BY_LABELS = { 'app.kubernetes.io/managed-by': 'gitops-bridge' } as const;
/** Argo CD's cascade-protection finalizer (on AppProjects: no delete while Applications use it). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export interface GroupKind {
  group: string;
  kind: string;
}

export interface ArgoCdSettings {
  /** manifests/argocd.yaml, for error messages. */
  file: string;
  repoURL: string;
  targetRevision: string;
  /** Argo CD's namespace on the hub. */
  namespace: string;
  clusterScopedAllowList: GroupKind[];
  /**
   * Who creates the cluster Secrets: the render (`rendered`, into argocd/) or the hub's Pulumi
   * stack (`pulumi`, infra/components/argocd-hub.ts), never both.
   */
  clusterRegistration: 'rendered' | 'pulumi';
}

export const DEFAULT_CLUSTER_SCOPED_ALLOW_LIST: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

export function argoCdSettings(config: NonNullable<Fleet['argocd']>): ArgoCdSettings {
  const spec = config.spec;
  return {
    file: config.file,
    repoURL: spec.repoURL,
    targetRevision: spec.targetRevision ?? 'rendered',
    namespace: spec.namespace ?? 'argocd',
    clusterRegistration: spec.clusterRegistration ?? 'rendered',
    clusterScopedAllowList: (spec.clusterScopedAllowList ?? DEFAULT_CLUSTER_SCOPED_ALLOW_LIST).map((gk) => ({ group: gk.group, kind: gk.kind })),
  };
}

/** API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
