/** In production, a workload that runs several replicas has a PodDisruptionBudget, so a node drain cannot take them all. */
import type { KubeObject } from '../../charts/object.js';
import { get, podTemplatesOf, selectorMatches } from './pods.js';
import type { Policy, PolicyContext } from './types.js';

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout']);

/** The most replicas the workload runs: its spec, or an HPA's maxReplicas when one targets it. */
function maxReplicas(object: KubeObject, context: PolicyContext): { count: number; by: string } {
  for (const o of context.siblings('HorizontalPodAutoscaler', object.metadata.namespace)) {
    const ref = get(o, 'spec', 'scaleTargetRef');
    if (get(ref, 'kind') === object.kind && get(ref, 'name') === object.metadata.name) {
      const max = get(o, 'spec', 'maxReplicas');
      return { count: typeof max === 'number' ? max : 1, by: `HorizontalPodAutoscaler "${o.metadata.name}" (maxReplicas)` };
    }
  }
  const replicas = get(object, 'spec', 'replicas');
  return { count: typeof replicas === 'number' ? replicas : 1, by: 'spec.replicas' };
}

/** Whether a PDB's selector picks pods with these labels. */
export function selects(pdb: KubeObject, labels: Record<string, string>): boolean {
  return selectorMatches(get(pdb, 'spec', 'selector'), labels);
}

export const pdbInProduction: Policy = {
  id: 'pdb-in-production',
  description: 'In production-tier environments, every Deployment, StatefulSet or Rollout that can run more than one replica (spec.replicas, or the maxReplicas of its HPA) is covered by a PodDisruptionBudget.',
  level: 'mandatory',
  check(object, context) {
    if (context.environment?.spec.tier !== 'production' || !REPLICATED.has(object.kind)) return [];
    const { count, by } = maxReplicas(object, context);
    if (count <= 1) return [];
    const pod = podTemplatesOf(object)[0];
    if (!pod) return [];
    const covered = context.siblings('PodDisruptionBudget', object.metadata.namespace).some((o) => selects(o, pod.labels));
    if (covered) return [];
    return [
      {
        pointer: get(object, 'spec', 'replicas') !== undefined ? '/spec/replicas' : '/spec',
        message: `${object.kind} "${object.metadata.name}" runs up to ${count} replicas (${by}) in production without a PodDisruptionBudget`,
        hint: 'set spec.disruptionBudget (e.g. maxUnavailable: 1) in the app spec or its production overlay',
        specPointer: '/spec/disruptionBudget',
      },
    ];
  },
};
