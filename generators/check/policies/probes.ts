/** Long-running containers tell Kubernetes whether they are alive or ready. */
import { containersOf, LONG_RUNNING, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

export const probes: Policy = {
  id: 'probes',
  description: 'Every container of a long-running workload (Deployment, StatefulSet, DaemonSet, Rollout) has a readiness or a liveness probe.',
  level: 'advisory',
  check(object) {
    if (!LONG_RUNNING.has(object.kind)) return [];
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      for (const c of containersOf(pod)) {
        if (c.init || c.container.readinessProbe !== undefined || c.container.livenessProbe !== undefined) continue;
        out.push({
          pointer: c.pointer,
          message: `${nameOf(c)} has neither a readiness nor a liveness probe`,
          hint: 'set spec.probes.readiness (traffic only when ready) and spec.probes.liveness (restart when stuck)',
          specPointer: '/spec/probes',
        });
      }
    }
    return out;
  },
};
