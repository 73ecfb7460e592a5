/**
 * What the hub needs to know about one environment, worked out from the environment, its
 * bridge snapshot and the units rendered for it: its cluster, the Application of every
 * rendered directory and where that Application deploys, the namespaces its AppProject must
 * allow, and the workloads an HPA scales. Everything Argo CD would refuse at sync time
 * (a cluster-scoped kind outside the allow-list, a name it cannot use) is refused here, at
 * render time, with the file to fix. Pure.
 */
import type { KubeObject } from '../charts/object.js';
import { labelValue } from '../check/api-server/formats.js';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { appNamed } from '../load/app-index.js';
import type { EnvironmentInstance } from '../load/fleet.js';
import { ARGOCD_NAMESPACE, CLUSTER_METADATA_NAME } from '../metadata/cluster-metadata.js';
import { groupOf, type ArgoCdSettings, type GroupKind } from './settings.js';

/** One directory of rendered/<env>/ with the objects rendered into it. */
export interface RenderedUnit {
  environment: string;
  /** An app, `cluster-metadata` or `namespaces`. */
  directory: string;
  objects: KubeObject[];
}

export interface ScaledTarget extends GroupKind {
  name: string;
  namespace: string;
}

export interface EnvironmentPlan {
  env: EnvironmentInstance;
  /** The cluster's name in Argo CD (its cluster Secret's `name`): the EKS cluster name. */
  clusterName: string;
  /** The cluster Secret's `server`: cluster_endpoint, or the EKS cluster ARN when the hub is the EKS capability. */
  server: string;
  /** The environment's AppProject and ApplicationSet are both named after it. */
  project: string;
  /** Rendered directory -> namespace its Application deploys to, by directory. */
  destinations: Map<string, string>;
  /** Every namespace the environment's Applications deploy to or name in an object, sorted. */
  namespaces: string[];
  /** Workloads an HPA scales, sorted: their replica count belongs to the HPA. */
  scaledTargets: ScaledTarget[];
  /**
   * Ingresses an Argo Rollouts canary routes traffic through, sorted, with the annotation whose
   * weights the Rollouts controller rewrites during an update (`<prefix>/actions.<root Service>`).
   */
  routedIngresses: RoutedIngress[];
}

export interface RoutedIngress extends ScaledTarget {
  annotation: string;
}

/**
 * What planning reads of a rendered object: apiVersion, kind, name, namespace, and an HPA's
 * scaleTargetRef; and what the engine's cross-app checks read (engine/clashes.ts): an Ingress's
 * class, hosts and paths. The hub is planned from these views alone, so a render that takes most
 * units from the incremental cache (which keeps the views, not the objects) plans the same hub.
 */
export function hubView(object: KubeObject): KubeObject {
  const metadata: KubeObject['metadata'] = { name: object.metadata.name };
  if (object.metadata.namespace !== undefined) metadata.namespace = object.metadata.namespace;
  const view: KubeObject = { apiVersion: object.apiVersion, kind: object.kind, metadata };
  if (object.kind === 'HorizontalPodAutoscaler') {
    const ref = (object as { spec?: { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } } }).spec?.scaleTargetRef;
    if (ref) view.spec = { scaleTargetRef: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name } };
  } else if (object.kind === 'Ingress') {
    const spec = (object as { spec?: { ingressClassName?: unknown; rules?: unknown } }).spec;
    const rules = Array.isArray(spec?.rules) ? (spec.rules as { host?: unknown; http?: { paths?: unknown } }[]) : [];
    view.spec = {
      ...(typeof spec?.ingressClassName === 'string' && { ingressClassName: spec.ingressClassName }),
      rules: rules.map((r) => ({
        ...(typeof r?.host === 'string' && { host: r.host }),
        paths: (Array.isArray(r?.http?.paths) ? (r.http.paths as { path?: unknown }[]) : []).map((p) => (typeof p?.path === 'string' ? p.path : '')),
      })),
    };
  }
  if (object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/')) {
    const alb = albRouting(object);
    if (alb) view.spec = { strategy: { canary: { trafficRouting: { alb } } } };
  }
  return view;
}

/** A Rollout's ALB traffic routing, as far as the hub needs it (which Ingress, which action). */
function albRouting(object: KubeObject): { ingress: string; rootService?: string; annotationPrefix?: string } | undefined {
  type Canary = { stableService?: string; trafficRouting?: { alb?: { ingress?: string; rootService?: string; annotationPrefix?: string } } };
  const canary = (object as { spec?: { strategy?: { canary?: Canary } } }).spec?.strategy?.canary;
  const alb = canary?.trafficRouting?.alb;
  if (typeof alb?.ingress !== 'string') return undefined;
  // Argo Rollouts names the action after rootService, else stableService.
  const root = alb.rootService ?? canary?.stableService;
  return { ingress: alb.ingress, ...(root !== undefined && { rootService: root }), ...(alb.annotationPrefix !== undefined && { annotationPrefix: alb.annotationPrefix }) };
}

/** The EKS cluster's ARN, from the bridge keys aws_region, aws_account_id and aws_cluster_name. */
export function eksClusterArn(env: EnvironmentInstance): string {
  const region = env.outputs['aws_region']!;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:eks:${region}:${env.outputs['aws_account_id']!}:cluster/${env.outputs['aws_cluster_name']!}`;
}


/**
 * Where a directory's Application deploys. An app: its namespace (apps may share one, so the
 * directory name is not the namespace). cluster-metadata: argocd, where its ConfigMap lives.
 * namespaces: it spans every app namespace and each of its objects names its own namespace,
 * so its Application's namespace is only a default nothing uses; argocd keeps it inside what
 * the project allows anyway, instead of widening the project for it.
 */
export function destinationNamespace(env: EnvironmentInstance, directory: string): string {
  const app = appNamed(env, directory);
  return app ? app.namespace : ARGOCD_NAMESPACE;
}

/** Whether Argo CD should create the destination namespace: only cluster-metadata's argocd, which no unit creates. */
export function createsNamespace(directory: string): boolean {
  return directory === CLUSTER_METADATA_NAME;
}

export function planEnvironment(env: EnvironmentInstance, units: RenderedUnit[], settings: ArgoCdSettings): EnvironmentPlan {
  const clusterName = env.outputs['aws_cluster_name']!;
  // cluster_name is a label of the cluster Secret.
  if (labelValue(clusterName) !== undefined) {
    throw new BridgeError({
      code: 'invalid-name',
      message: `aws_cluster_name "${clusterName}" cannot be the cluster_name label of the Argo CD cluster Secret of environment "${env.name}"`,
      file: env.snapshotFile,
      pointer: '/aws_cluster_name',
      hint: 'EKS cluster names of at most 63 letters, digits, "-" and "_" are label-safe',
    });
  }

  const allowed = new Set(settings.clusterScopedAllowList.map((gk) => `${gk.group}/${gk.kind}`));
  const destinations = new Map<string, string>();
  const namespaces = new Set<string>();
  const scaled = new Map<string, ScaledTarget>();
  const routed = new Map<string, RoutedIngress>();
  for (const unit of [...units].sort((a, b) => compareStrings(a.directory, b.directory))) {
    const destination = destinationNamespace(env, unit.directory);
    destinations.set(unit.directory, destination);
    namespaces.add(destination);
    for (const object of unit.objects) {
      const namespace = object.metadata.namespace;
      if (namespace !== undefined) namespaces.add(namespace);
      else if (!allowed.has(`${groupOf(object.apiVersion)}/${object.kind}`)) {
        throw new BridgeError({
          code: 'render',
          message: `rendered/${env.name}/${unit.directory} holds the cluster-scoped ${object.kind} "${object.metadata.name}", which the AppProject of "${env.name}" does not allow: Argo CD would refuse to sync it`,
          file: settings.file,
          pointer: '/spec/clusterScopedAllowList',
          hint: `add { group: "${groupOf(object.apiVersion)}", kind: ${object.kind} } to spec.clusterScopedAllowList if ${object.kind} is meant to be deployed`,
        });
      }
      if (object.kind === 'HorizontalPodAutoscaler' && namespace !== undefined) {
        const ref = (object as { spec?: { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } } }).spec?.scaleTargetRef;
        if (ref?.kind && ref.name) {
          const target = { group: groupOf(ref.apiVersion ?? ''), kind: ref.kind, name: ref.name, namespace };
          scaled.set(`${target.group}/${target.kind}/${target.namespace}/${target.name}`, target);
        }
      }
      const alb = object.kind === 'Rollout' && namespace !== undefined ? albRouting(object) : undefined;
      if (alb?.rootService !== undefined) {
        const annotation = `${alb.annotationPrefix ?? 'alb.ingress.kubernetes.io'}/actions.${alb.rootService}`;
        routed.set(`${namespace}/${alb.ingress}/${annotation}`, { group: 'networking.k8s.io', kind: 'Ingress', name: alb.ingress, namespace: namespace!, annotation });
      }
    }
  }
  return {
    env,
    clusterName,
    server: settings.hubType === 'eks-capability' ? eksClusterArn(env) : env.outputs['cluster_endpoint']!,
    project: env.name,
    destinations,
    namespaces: [...namespaces].sort(compareStrings),
    scaledTargets: [...scaled.keys()].sort(compareStrings).map((k) => scaled.get(k)!),
    routedIngresses: [...routed.keys()].sort(compareStrings).map((k) => routed.get(k)!),
  };
}
