/** Containers run as a non-root user, enforced by the kubelet (runAsNonRoot). */
import { containersOf, get, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

export const runAsNonRoot: Policy = {
  id: 'run-as-non-root',
  description: 'Every container runs with runAsNonRoot: true (set on the container or the pod) and not as user 0.',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      const podNonRoot = get(pod.spec, 'securityContext', 'runAsNonRoot');
      const podUser = get(pod.spec, 'securityContext', 'runAsUser');
      for (const c of containersOf(pod)) {
        const nonRoot = get(c.container, 'securityContext', 'runAsNonRoot') ?? podNonRoot;
        const user = get(c.container, 'securityContext', 'runAsUser') ?? podUser;
        if (nonRoot !== true) {
          out.push({ pointer: `${c.pointer}/securityContext/runAsNonRoot`, message: `${nameOf(c)} may run as root (runAsNonRoot is not true)`, hint: 'set securityContext.runAsNonRoot: true and use an image with a non-root USER', specPointer: '/spec/securityContext' });
        } else if (user === 0) {
          out.push({ pointer: `${c.pointer}/securityContext/runAsUser`, message: `${nameOf(c)} runs as user 0 (root)`, hint: 'use a non-zero runAsUser', specPointer: '/spec/securityContext/runAsUser' });
        }
      }
    }
    return out;
  },
};
