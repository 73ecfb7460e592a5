/**
 * What spec.rollout means beyond its schema: which fields belong to which strategy, what an
 * analysis needs, and how a canary's traffic is split in an environment. The loader refuses an
 * inconsistent rollout here, at the spec line that causes it (the schema alone cannot say "this
 * field is for the other strategy", and an overlay may switch strategies); the app chart reads the
 * same answers. Pure.
 */
import type { AppSpec, EnvironmentSpec, Rollout } from './types.gen.js';

/** Ingress classes whose controller Argo Rollouts drives for canary traffic, as rendered here. */
export const TRAFFIC_ROUTED_CLASSES: readonly string[] = ['alb'];

const BLUE_GREEN_ONLY = ['autoPromotion', 'scaleDownDelaySeconds', 'prePromotionAnalysis', 'postPromotionAnalysis'] as const;
const CANARY_ONLY = ['steps', 'trafficRouting'] as const;

export interface RolloutProblem {
  /** JSON pointer into the app (/spec/rollout/...). */
  pointer: string;
  message: string;
  hint: string;
}

/** How a canary's share of traffic is set: the spec's choice, else through the Ingress where the environment's controller allows it. */
export function trafficRoutingOf(spec: AppSpec, env: Pick<EnvironmentSpec, 'ingress'>): 'ingress' | 'replicas' | undefined {
  const r = spec.rollout;
  if (r?.strategy !== 'canary') return undefined;
  return r.trafficRouting ?? (spec.ingress && TRAFFIC_ROUTED_CLASSES.includes(env.ingress.className) ? 'ingress' : 'replicas');
}

/** Whether the rollout runs the app's analysis anywhere (a canary step, or before or after a blue-green promotion). */
export function runsAnalysis(r: Rollout): boolean {
  return r.strategy === 'canary' ? (r.steps ?? []).some((s) => s.analysis !== undefined) : r.prePromotionAnalysis === true || r.postPromotionAnalysis === true;
}

/**
 * The Prometheus address an analysis queries: the app's own (or its bridge key's value), else the
 * environment's. Undefined when neither says.
 */
export function prometheusAddressOf(r: Rollout, env: Pick<EnvironmentSpec, 'prometheus'>, outputs: Record<string, string>): string | undefined {
  const own = r.analysis?.prometheus;
  if (own?.address !== undefined) return own.address;
  if (own?.fromBridge !== undefined) return outputs[own.fromBridge];
  return env.prometheus?.address;
}

/** Every problem of the app's rollout in one environment (empty without a rollout). */
export function rolloutProblems(spec: AppSpec, envName: string, env: EnvironmentSpec): RolloutProblem[] {
  const r = spec.rollout;
  if (!r) return [];
  const at = (field: string) => `/spec/rollout${field && `/${field}`}`;
  const problems: RolloutProblem[] = [];
  if (spec.cronJob) {
    return [{ pointer: at(''), message: 'a CronJob app has no rollout: spec.cronJob and spec.rollout exclude each other', hint: 'remove spec.rollout, or set it to null in the overlay of the environment that runs the CronJob' }];
  }
  const other = r.strategy === 'canary' ? 'blueGreen' : 'canary';
  for (const field of r.strategy === 'canary' ? BLUE_GREEN_ONLY : CANARY_ONLY) {
    if (r[field] !== undefined) {
      problems.push({
        pointer: at(field),
        message: `"${field}" is a ${other} setting, and this rollout's strategy is ${r.strategy}`,
        hint: `remove it; an overlay that changes the strategy sets the other strategy's fields to null (${field}: null)`,
      });
    }
  }
  if (r.strategy === 'blueGreen' && !(spec.ports ?? []).some((p) => p.servicePort !== undefined)) {
    problems.push({ pointer: at('strategy'), message: 'a blueGreen rollout switches a Service between versions, and the app has no Service', hint: 'give the port it serves on a servicePort, or use strategy: canary' });
  }
  if (r.strategy === 'canary' && !r.steps) {
    problems.push({ pointer: at(''), message: 'a canary rollout needs steps', hint: 'e.g. steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: 5m } }]' });
  }
  if (r.strategy === 'canary' && r.trafficRouting === 'ingress') {
    if (!spec.ingress) {
      problems.push({ pointer: at('trafficRouting'), message: 'traffic routing through the Ingress needs spec.ingress', hint: 'add spec.ingress, or use trafficRouting: replicas (the share of pods behind the Service)' });
    } else if (!TRAFFIC_ROUTED_CLASSES.includes(env.ingress.className)) {
      problems.push({
        pointer: at('trafficRouting'),
        message: `environment "${envName}" uses ingress class "${env.ingress.className}", and canary traffic is routed only through ${TRAFFIC_ROUTED_CLASSES.join(', ')} Ingresses`,
        hint: 'use trafficRouting: replicas in this environment (its overlay), or leave trafficRouting out: it then follows the environment',
      });
    }
  }
  const runs = runsAnalysis(r);
  if (!r.analysis) {
    if (runs) {
      const step = r.strategy === 'canary' ? (r.steps ?? []).findIndex((s) => s.analysis !== undefined) : -1;
      problems.push({
        pointer: step >= 0 ? at(`steps/${step}`) : at(r.prePromotionAnalysis ? 'prePromotionAnalysis' : 'postPromotionAnalysis'),
        message: "this runs the app's analysis, and spec.rollout.analysis is not set",
        hint: 'add spec.rollout.analysis (successRate and/or latency, and where Prometheus is)',
      });
    }
    return problems;
  }
  if (!runs) {
    problems.push({
      pointer: at('analysis'),
      message: 'spec.rollout.analysis is not used: no step or promotion runs it',
      hint: r.strategy === 'canary' ? 'add a step `- analysis: {}` where it should run, or remove the analysis' : 'set prePromotionAnalysis or postPromotionAnalysis to true, or remove the analysis',
    });
  }
  if (!r.analysis.successRate && !r.analysis.latency) {
    problems.push({ pointer: at('analysis'), message: 'the analysis measures nothing', hint: 'add successRate (e.g. { minimum: 0.99 }) and/or latency (e.g. { maxSeconds: 0.5 })' });
  }
  if (r.analysis.prometheus === undefined && env.prometheus === undefined) {
    problems.push({
      pointer: at('analysis'),
      message: `no Prometheus address for the analysis in environment "${envName}"`,
      hint: `set spec.prometheus.address in manifests/environments/${envName}.yaml, or spec.rollout.analysis.prometheus (address or fromBridge) in the app`,
    });
  }
  return problems;
}
