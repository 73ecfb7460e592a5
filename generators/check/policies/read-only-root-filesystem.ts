/** Containers cannot write to their image: readOnlyRootFilesystem, with volumes for what they write. */
import { containersOf, get, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

export const readOnlyRootFilesystem: Policy = {
  id: 'read-only-root-filesystem',
  description: 'Every container sets securityContext.readOnlyRootFilesystem: true.',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      for (const c of containersOf(pod)) {
        if (get(c.container, 'securityContext', 'readOnlyRootFilesystem') !== true) {
          out.push({
            pointer: `${c.pointer}/securityContext/readOnlyRootFilesystem`,
            message: `${nameOf(c)} can write to its root filesystem`,
            hint: 'remove securityContext.readOnlyRootFilesystem: false from the app spec; the generator mounts /tmp as an emptyDir for scratch files',
            specPointer: '/spec/securityContext/readOnlyRootFilesystem',
          });
        }
      }
    }
    return out;
  },
};
