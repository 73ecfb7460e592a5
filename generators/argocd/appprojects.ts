/**
 * One AppProject per environment: what that environment's Applications may do. Pure.
 *
 * - sources: this repository only (the `rendered` branch is in it);
 * - destinations: the environment's cluster, and there only the namespaces its Applications
 *   deploy to or name in an object (app namespaces, and argocd for cluster-metadata);
 * - cluster-scoped kinds: the allow-list of manifests/argocd.yaml (the render has already
 *   refused any other cluster-scoped object, so a sync is never refused for it);
 * - namespaced kinds: every one (no namespaceResourceWhitelist: Argo CD then permits all), the
 *   Argo Rollouts kinds a spec app renders (Rollout, AnalysisTemplate) and the custom resources
 *   of Kustomize and chart apps included; a whitelist here would have to list each of them, and
 *   test/argocd/applicationsets.test.ts holds every rendered kind to what the project permits.
 *
 * Per-team projects are not generated: the ApplicationSet would need a second per-directory
 * lookup for the project, and the boundary they add (one team's Application writing into
 * another team's namespace) is already closed upstream, where every manifest is generated from
 * the app's own spec into its own namespace and checked before it reaches the branch.
 */
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import type { KubeObject } from '../charts/object.js';
import type { EnvironmentPlan } from './plan.js';
import { MANAGED_BY_LABELS, RESOURCES_FINALIZER, type ArgoCdSettings } from './settings.js';

export function appProject(plan: EnvironmentPlan, settings: ArgoCdSettings): KubeObject {
  const env = plan.env;
  const object: IAppProject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: plan.project,
      namespace: settings.namespace,
      labels: { ...MANAGED_BY_LABELS, environment: env.name },
      // Argo CD keeps a project that Applications still use from being deleted.
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      sourceRepos: [settings.repoURL],
      destinations: plan.namespaces.map((namespace) => ({ name: plan.clusterName, namespace })),
      clusterResourceWhitelist: settings.clusterScopedAllowList.map((gk) => ({ group: gk.group, kind: gk.kind })),
    },
  };
  return object as unknown as KubeObject;
}
