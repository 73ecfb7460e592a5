/** A Service of type LoadBalancer creates a cloud load balancer: only where the environment allows it. */
import type { Policy } from './types.js';

export const noLoadBalancer: Policy = {
  id: 'no-load-balancer',
  description: 'No Service of type LoadBalancer unless the environment sets allowLoadBalancerServices: true (expose HTTP through the Ingress instead).',
  level: 'mandatory',
  check(object, context) {
    if (object.kind !== 'Service' || (object.spec as { type?: unknown } | undefined)?.type !== 'LoadBalancer') return [];
    if (context.environment?.spec.allowLoadBalancerServices === true) return [];
    return [
      {
        pointer: '/spec/type',
        message: `Service "${object.metadata.name}" is of type LoadBalancer${context.environment ? `, which environment "${context.environment.name}" does not allow` : ''}`,
        hint: context.environment
          ? `expose it through spec.ingress, or set allowLoadBalancerServices: true in ${context.environment.file}`
          : 'expose it through an Ingress',
        specPointer: '/spec/serviceType',
      },
    ];
  },
};
