/** manifests/argocd.yaml with its defaults applied, and the names the hub side uses. Pure. */
import type { Fleet } from '../load/fleet.js';

/** The unit (directory under rendered/, and on the `rendered` branch) holding the hub's objects. */
export const ARGOCD_UNIT = 'argocd';
/** The bootstrap Application (app of apps) that applies argocd/ itself. */
export const BOOTSTRAP_APP = 'gitops-bridge';
export const MANAGED_BY_LABELS = { 'app.kubernetes.io/managed-by': 'gitops-bridge' } as const;
/** The label the ApplicationSets put on every Application they generate: the directory it deploys (the bootstrap Application has none). */
export const DIRECTORY_LABEL = 'gitops-bridge.dev/directory';
/** Argo CD's cascade-protection finalizer (on AppProjects: no delete while Applications use it). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** How rendered:commit lays the render out in git (manifests/argocd.yaml `spec.layout`). */
export type BranchLayout = 'single-branch' | 'environment-branches';
export const DEFAULT_LAYOUT: BranchLayout = 'single-branch';
/** The branch rendered:commit writes: everything in the single-branch layout, the hub's argocd/ only with environment branches. */
export const RENDERED_BRANCH = 'rendered';
/** GitOps Promoter's names: the active branch Applications read, and the proposed one the hydrator writes (`-next` is fixed by Promoter). */
export const activeBranch = (env: string): string => `environment/${env}`;
export const proposedBranch = (env: string): string => `${activeBranch(env)}-next`;

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
  /** self-managed: Argo CD on a hub cluster (awsAuthConfig); eks-capability: the AWS-managed Argo CD (cluster ARN as server). */
  hubType: HubType;
  /** The hub's gitops-bridge addon repository (addons_repo_* annotations); absent when not configured. */
  addonsRepo?: RepoRef;
  /** The workload repository (workload_repo_* annotations); defaults to this repository's rendered branch. */
  workloadRepo: RepoRef;
  /**
   * Who creates the cluster Secrets: the render (`rendered`, into argocd/) or the hub's Pulumi
   * stack (`pulumi`, infra/components/argocd-hub.ts), never both.
   */
  clusterRegistration: 'rendered' | 'pulumi';
  /** One `rendered` branch, or a proposed and an active branch per environment plus the hub's `rendered` branch. */
  layout: BranchLayout;
  /** GitOps Promoter objects to render on the hub (promoter.ts), defaults applied; absent when not configured. */
  promoter?: {
    namespace: string;
    scmProviderRef: { kind: 'ScmProvider' | 'ClusterScmProvider'; name: string };
    repository?: Record<string, unknown>;
    commitStatusKey: string;
  };
}

export type HubType = 'self-managed' | 'eks-capability';

/** A repository as the gitops-bridge annotations describe it: `<prefix>_repo_{url,basepath,path,revision}`. */
export interface RepoRef {
  url: string;
  basepath: string;
  path: string;
  revision: string;
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
    hubType: spec.hubType ?? 'self-managed',
    layout: spec.layout ?? DEFAULT_LAYOUT,
    ...(spec.promoter && {
      promoter: {
        namespace: spec.promoter.namespace ?? 'promoter-system',
        scmProviderRef: { kind: spec.promoter.scmProviderRef.kind ?? 'ScmProvider', name: spec.promoter.scmProviderRef.name },
        ...(spec.promoter.repository && { repository: spec.promoter.repository as Record<string, unknown> }),
        commitStatusKey: spec.promoter.commitStatusKey ?? 'argocd-health',
      },
    }),
    ...(spec.addonsRepo && { addonsRepo: repoRef(spec.addonsRepo, 'HEAD') }),
    workloadRepo: repoRef(spec.workloadRepo ?? { url: spec.repoURL }, spec.workloadRepo ? 'HEAD' : (spec.targetRevision ?? 'rendered')),
  };
}

function repoRef(spec: { url: string; basepath?: string; path?: string; revision?: string }, revision: string): RepoRef {
  return { url: spec.url, basepath: spec.basepath ?? '', path: spec.path ?? '', revision: spec.revision ?? revision };
}

/** API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
