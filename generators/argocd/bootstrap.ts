/**
 * The bootstrap Application (app of apps): applied once by hand on the hub
 * (`kubectl apply -n argocd -f rendered/argocd/application-gitops-bridge.yaml`), it applies
 * argocd/ of the `rendered` branch, itself included, and from then on every commit to it. Pure.
 *
 * - project `default`: it must work on a fresh Argo CD before any AppProject of ours exists;
 * - automated with selfHeal, but no prune: an environment removed from manifests/ leaves its
 *   ApplicationSet, AppProject and cluster Secret OutOfSync for a person to delete, never
 *   removed by a commit; deletions it is asked to make go background, which the
 *   ApplicationSets' finalizer needs to orphan (not delete) their Applications.
 */
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import type { KubeObject } from '../charts/object.js';
import { ARGOCD_UNIT, BOOTSTRAP_APP, IN_CLUSTER, MANAGED_BY_LABELS, type ArgoCdSettings } from './settings.js';

export function bootstrapApplication(settings: ArgoCdSettings): KubeObject {
  const object: IApplication = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: BOOTSTRAP_APP,
      namespace: settings.namespace,
      labels: { ...MANAGED_BY_LABELS },
    },
    spec: {
      project: 'default',
      source: {
        repoURL: settings.repoURL,
        targetRevision: settings.targetRevision,
        path: ARGOCD_UNIT,
        directory: { recurse: false, include: '*.yaml' },
      },
      destination: { server: IN_CLUSTER, namespace: settings.namespace },
      syncPolicy: {
        automated: { prune: false, selfHeal: true, allowEmpty: false },
        syncOptions: ['CreateNamespace=false', 'PrunePropagationPolicy=background', 'FailOnSharedResource=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    },
  };
  return object as unknown as KubeObject;
}
