/**
 * Progressive delivery for a spec app (spec.rollout): an Argo Rollouts Rollout in place of the
 * Deployment, with the Deployment's pod template; the Services and Ingress wiring Argo Rollouts
 * expects for the strategy; and the app's AnalysisTemplate. The app chart calls these; what the
 * spec means (which strategy, how traffic is split) is load/rollout.ts's. Pure.
 *
 * Wiring, per strategy (names from the app's name `<app>`):
 * - canary, traffic routed by the Ingress (ALB): the app's Service `<app>` is the root Service the
 *   Ingress targets on port `use-annotation`; `<app>-stable` and `<app>-canary` are the Services the
 *   controller points at each version (adding the pod-template hash to their selectors); the
 *   Ingress carries the action annotation that splits traffic between them, rendered with all of
 *   it on stable, which is what the controller writes between updates (during one it rewrites
 *   the weights: the hub's ApplicationSet ignores that annotation, argocd/applicationsets.ts).
 * - canary by replicas: the Service selects both versions; the weight is the share of pods.
 * - blueGreen: `<app>` is the active Service (the Ingress keeps targeting it), `<app>-preview` the
 *   preview Service.
 * The objects are plain ApiObjects (cdk8s-plus-33 has no Argo Rollouts classes), so their bodies
 * hold plain values: IntOrString and Quantity instances become their value (plainJson).
 */
import { ApiObject, type Chart } from 'cdk8s';
import { prometheusAddressOf, trafficRoutingOf } from '../load/rollout.js';
import type { AppSpec, EnvironmentSpec, Rollout, RolloutAnalysis } from '../load/types.gen.js';
import { k8s } from './object.js';
import { add } from './synth.js';

export const ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';
/** The AnalysisTemplate argument the rollout fills with the new version's pod-template hash. */
export const HASH_ARG = 'pod-template-hash';
/** The ALB action annotation prefix (aws-load-balancer-controller's default). */
const ALB_ACTIONS = 'alb.ingress.kubernetes.io/actions.';

type Meta = (name: string, extra?: { annotations?: Record<string, string> }) => object;

export interface RolloutContext {
  chart: Chart;
  name: string;
  namespace: string;
  spec: AppSpec & { rollout: Rollout };
  env: { spec: EnvironmentSpec; outputs: Record<string, string> };
  meta: Meta;
  selector: Record<string, string>;
  /** The pod template as the Deployment would have it (IntOrString and Quantity instances allowed). */
  template: object;
  /** The Service port the Ingress routes to, when the app has an ingress. */
  ingressServicePort?: number;
}

/** The Services besides the app's own `<app>` that the strategy needs, by name. */
export function extraServiceNames(name: string, spec: AppSpec, env: Pick<EnvironmentSpec, 'ingress'>): string[] {
  const r = spec.rollout;
  if (!r || spec.cronJob) return [];
  if (r.strategy === 'blueGreen') return [`${name}-preview`];
  return trafficRoutingOf(spec, env) === 'ingress' ? [`${name}-stable`, `${name}-canary`] : [];
}

/** The Rollout and, when its spec asks for one, the AnalysisTemplate it runs. */
export function addRollout(c: RolloutContext): void {
  const r = c.spec.rollout;
  const analysisRef = {
    templates: [{ templateName: c.name }],
    args: [{ name: HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
  };
  let strategy: object;
  if (r.strategy === 'canary') {
    const routed = trafficRoutingOf(c.spec, c.env.spec) === 'ingress';
    strategy = {
      canary: {
        ...(routed
          ? {
              stableService: `${c.name}-stable`,
              canaryService: `${c.name}-canary`,
              trafficRouting: { alb: { ingress: c.name, servicePort: c.ingressServicePort, rootService: c.name } },
            }
          : { maxSurge: '25%', maxUnavailable: 0 }),
        steps: (r.steps ?? []).map((s) =>
          s.setWeight !== undefined ? { setWeight: s.setWeight } : s.pause !== undefined ? { pause: s.pause.duration !== undefined ? { duration: s.pause.duration } : {} } : { analysis: analysisRef },
        ),
      },
    };
  } else {
    strategy = {
      blueGreen: {
        activeService: c.name,
        previewService: `${c.name}-preview`,
        autoPromotionEnabled: r.autoPromotion ?? false,
        scaleDownDelaySeconds: r.scaleDownDelaySeconds ?? 30,
        ...(r.prePromotionAnalysis && { prePromotionAnalysis: analysisRef }),
        ...(r.postPromotionAnalysis && { postPromotionAnalysis: analysisRef }),
      },
    };
  }
  add(c.chart, ApiObject, 'rollout', {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'Rollout',
    metadata: c.meta(c.name),
    spec: {
      // With an HPA, the HPA owns the replica count, as for a Deployment.
      ...(c.spec.autoscaling ? {} : { replicas: c.spec.replicas ?? 1 }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: c.selector },
      template: plainJson(c.template),
      strategy,
    },
  });
  if (r.analysis) addAnalysisTemplate(c, r.analysis);
}

function addAnalysisTemplate(c: RolloutContext, a: RolloutAnalysis): void {
  const interval = a.interval ?? '1m';
  const address = prometheusAddressOf(c.spec.rollout, c.env.spec, c.env.outputs)!;
  const selector = `namespace="${c.namespace}",app_kubernetes_io_name="${c.name}",rollouts_pod_template_hash="{{args.${HASH_ARG}}}"`;
  const measured = { interval, count: a.count ?? 5, failureLimit: a.failureLimit ?? 1 };
  const metrics: object[] = [];
  if (a.successRate) {
    const query =
      a.successRate.query ??
      `sum(rate(http_requests_total{${selector},code!~"5.."}[${interval}])) / sum(rate(http_requests_total{${selector}}[${interval}]))`;
    metrics.push({ name: 'success-rate', ...measured, successCondition: `result[0] >= ${a.successRate.minimum}`, provider: { prometheus: { address, query } } });
  }
  if (a.latency) {
    const quantile = a.latency.quantile ?? 0.99;
    const query = a.latency.query ?? `histogram_quantile(${quantile}, sum by (le) (rate(http_request_duration_seconds_bucket{${selector}}[${interval}])))`;
    metrics.push({ name: 'latency', ...measured, successCondition: `result[0] <= ${a.latency.maxSeconds}`, provider: { prometheus: { address, query } } });
  }
  add(c.chart, ApiObject, 'analysis-template', {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'AnalysisTemplate',
    metadata: c.meta(c.name),
    spec: { args: [{ name: HASH_ARG }], metrics },
  });
}

/**
 * How the app's Ingress reaches a canary routed through it: the root Service on port
 * `use-annotation`, and the action annotation (all traffic on stable); undefined when the app is
 * not such a canary.
 */
export function routedIngress(name: string, spec: AppSpec, env: Pick<EnvironmentSpec, 'ingress'>, servicePort: number): { port: { name: string }; annotations: Record<string, string> } | undefined {
  if (spec.cronJob || trafficRoutingOf(spec, env) !== 'ingress') return undefined;
  const group = (service: string, weight: number) => ({ ServiceName: service, ServicePort: String(servicePort), Weight: weight });
  const action = { Type: 'forward', ForwardConfig: { TargetGroups: [group(`${name}-canary`, 0), group(`${name}-stable`, 100)] } };
  return { port: { name: 'use-annotation' }, annotations: { [`${ALB_ACTIONS}${name}`]: JSON.stringify(action) } };
}

/** The HPA's target: the Rollout when the app has one, else the Deployment. */
export function scaleTarget(name: string, spec: AppSpec): { apiVersion: string; kind: string; name: string } {
  return spec.rollout ? { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', name } : { apiVersion: 'apps/v1', kind: 'Deployment', name };
}

/** A copy with every IntOrString and Quantity replaced by its value (what cdk8s's typed classes render them as). */
export function plainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainJson);
  if (value instanceof k8s.IntOrString || value instanceof k8s.Quantity) return value.value;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainJson(v);
    return out;
  }
  return value;
}
