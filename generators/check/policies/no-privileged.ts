/** Pods stay inside their sandbox: no privileged containers, no host namespaces, no host paths. */
import { containersOf, get, isObject, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const noPrivileged: Policy = {
  id: 'no-privileged',
  description: 'No privileged containers, no hostNetwork, hostPID or hostIPC, no hostPath volumes.',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      for (const field of HOST_NAMESPACES) {
        if (pod.spec[field] === true) {
          out.push({ pointer: `${pod.pointer}/${field}`, message: `${field}: true shares the node's ${field.slice(4).toLowerCase()} namespace with the pod`, hint: `remove ${field}` });
        }
      }
      const volumes = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
      volumes.forEach((v, i) => {
        if (isObject(v) && v.hostPath !== undefined) {
          out.push({ pointer: `${pod.pointer}/volumes/${i}/hostPath`, message: `volume "${String(v.name)}" mounts a path of the node (hostPath)`, hint: 'use an emptyDir, a ConfigMap or a PersistentVolumeClaim' });
        }
      });
      for (const c of containersOf(pod)) {
        if (get(c.container, 'securityContext', 'privileged') === true) {
          out.push({ pointer: `${c.pointer}/securityContext/privileged`, message: `${nameOf(c)} is privileged`, hint: 'remove privileged; add only the capabilities it needs' });
        }
      }
    }
    return out;
  },
};
