/** Every container says what it needs (requests) and what it may take (limits), CPU and memory. */
import { containersOf, get, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

const RESOURCES = ['cpu', 'memory'] as const;

export const containerResources: Policy = {
  id: 'container-resources',
  description: 'Every container (init containers too) sets CPU and memory requests and limits.',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      for (const c of containersOf(pod)) {
        const missing: string[] = [];
        for (const kind of ['requests', 'limits'] as const) {
          for (const r of RESOURCES) {
            const v = get(c.container, 'resources', kind, r);
            if (v === undefined || v === null || v === '') missing.push(`${kind}.${r}`);
          }
        }
        if (missing.length > 0) {
          const at = get(c.container, 'resources') === undefined ? c.pointer : `${c.pointer}/resources`;
          out.push({
            pointer: at,
            message: `${nameOf(c)} has no ${missing.join(', ')}`,
            hint: 'set spec.resources.requests and spec.resources.limits (cpu and memory) in the app spec',
            specPointer: `/spec/resources/${missing[0]!.replace('.', '/')}`,
          });
        }
      }
    }
    return out;
  },
};
