/**
 * Sync ordering inside one Argo CD Application: every rendered object gets an
 * `argocd.argoproj.io/sync-wave` annotation by kind, so a sync applies the layers in order and
 * waits for each wave to be healthy before the next. Applied by the render pipeline to every
 * unit, so the charts stay free of Argo CD concerns. Pure.
 *
 *   -3 crds          CustomResourceDefinitions, before anything that instantiates them
 *   -2 namespaces    Namespaces (the namespaces unit)
 *   -1 foundations   what workloads need to exist first: quotas and limits, NetworkPolicies,
 *                    identities and RBAC, ConfigMaps, Secrets and ExternalSecrets (Argo CD's
 *                    ExternalSecret health check turns Healthy only once the Secret is written,
 *                    so a Deployment that mounts it waits for it), storage, AppProjects
 *    0 jobs          Jobs, as Sync hooks recreated on every sync (a Job is immutable: applied as
 *                    a plain resource it would fail the next sync that changes it); after the
 *                    foundations they read, before the workloads that may need their result
 *    1 workloads     Deployments, StatefulSets, DaemonSets, CronJobs, Services, PDBs, and any
 *                    kind not listed here
 *    2 exposure      Ingresses, HPAs, webhooks and APIServices: only once what they route to,
 *                    scale or call is healthy
 *
 * Argo Rollouts: a Rollout is a workload; its AnalysisTemplate a foundation (a Rollout naming a
 * template that does not exist is InvalidSpec, Degraded in Argo CD). So is a Rollout whose
 * traffic goes through an Ingress that does not exist yet: that Ingress goes with the workloads
 * (routedIngresses), or the sync would wait on wave 1 for an Ingress of wave 2.
 *
 * An annotation already present (set by an overlay patch) is kept: the spec author wins.
 */
import type { KubeObject } from '../charts/object.js';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const HOOK = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

export const WAVES = { crds: -3, namespaces: -2, foundations: -1, jobs: 0, workloads: 1, exposure: 2 } as const;

const WAVE_OF_KIND: Record<string, number> = {
  CustomResourceDefinition: WAVES.crds,
  Namespace: WAVES.namespaces,
  ResourceQuota: WAVES.foundations,
  LimitRange: WAVES.foundations,
  NetworkPolicy: WAVES.foundations,
  ServiceAccount: WAVES.foundations,
  Role: WAVES.foundations,
  RoleBinding: WAVES.foundations,
  ClusterRole: WAVES.foundations,
  ClusterRoleBinding: WAVES.foundations,
  ConfigMap: WAVES.foundations,
  Secret: WAVES.foundations,
  ExternalSecret: WAVES.foundations,
  SecretStore: WAVES.foundations,
  ClusterSecretStore: WAVES.foundations,
  PersistentVolumeClaim: WAVES.foundations,
  StorageClass: WAVES.foundations,
  PriorityClass: WAVES.foundations,
  IngressClass: WAVES.foundations,
  AppProject: WAVES.foundations,
  AnalysisTemplate: WAVES.foundations,
  Job: WAVES.jobs,
  Deployment: WAVES.workloads,
  Rollout: WAVES.workloads,
  StatefulSet: WAVES.workloads,
  DaemonSet: WAVES.workloads,
  CronJob: WAVES.workloads,
  Service: WAVES.workloads,
  PodDisruptionBudget: WAVES.workloads,
  Ingress: WAVES.exposure,
  HorizontalPodAutoscaler: WAVES.exposure,
  ValidatingWebhookConfiguration: WAVES.exposure,
  MutatingWebhookConfiguration: WAVES.exposure,
  APIService: WAVES.exposure,
};

export function syncWaveOf(kind: string): number {
  return WAVE_OF_KIND[kind] ?? WAVES.workloads;
}

/** Names of the Ingresses the Rollouts among `objects` route traffic through (trafficRouting.alb.ingress). */
export function routedIngresses(objects: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'Rollout' || !o.apiVersion.startsWith('argoproj.io/')) continue;
    const ingress = (o.spec as { strategy?: { canary?: { trafficRouting?: { alb?: { ingress?: unknown } } } } } | undefined)?.strategy?.canary?.trafficRouting?.alb?.ingress;
    if (typeof ingress === 'string') out.add(ingress);
  }
  return out;
}

/**
 * The object with its sync wave (and, for a Job, its hook annotations); the input is not
 * modified. `routed`: the Ingresses a Rollout of the unit routes through (workloads' wave).
 */
export function withSyncWave(object: KubeObject, routed?: ReadonlySet<string>): KubeObject {
  const annotations: Record<string, string> = { ...(object.metadata.annotations ?? {}) };
  const routedIngress = object.kind === 'Ingress' && routed?.has(object.metadata.name) === true;
  if (annotations[SYNC_WAVE] === undefined) annotations[SYNC_WAVE] = String(routedIngress ? WAVES.workloads : syncWaveOf(object.kind));
  if (object.kind === 'Job' && annotations[HOOK] === undefined) {
    annotations[HOOK] = 'Sync';
    annotations[HOOK_DELETE_POLICY] ??= 'BeforeHookCreation';
  }
  return { ...object, metadata: { ...object.metadata, annotations } };
}
