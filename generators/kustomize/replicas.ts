/**
 * `replicas:` sets spec.replicas of the Deployment, ReplicationController, ReplicaSet or
 * StatefulSet with that name (current or any earlier name); naming nothing is an error, as in
 * Kustomize.
 */
import { REPLICA_KINDS } from './field-specs.js';
import type { Resource } from './resource.js';

export function applyReplicas(resources: Resource[], name: string, count: number): boolean {
  let found = false;
  for (const kind of REPLICA_KINDS) {
    for (const r of resources) {
      if (!r.allIds().some((id) => id.name === name && id.kind === kind)) continue;
      found = true;
      if (r.kind !== kind) continue;
      const spec = r.obj.spec;
      if (spec === null || spec === undefined) r.obj.spec = { replicas: count };
      else if (typeof spec === 'object' && !Array.isArray(spec)) (spec as Record<string, unknown>).replicas = count;
    }
  }
  return found;
}
