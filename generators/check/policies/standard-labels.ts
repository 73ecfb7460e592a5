/** The Kubernetes recommended labels, on every object of an app and on its pods. */
import { podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

export const APP_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;

/**
 * An object a team brought (a Kustomize app, a team's chart) need not say its version: the
 * project fills it in from a workload's image tag, and a CRD or a ClusterRole has none.
 */
export const BROUGHT_APP_LABELS = APP_LABELS.filter((l) => l !== 'app.kubernetes.io/version');

/** Objects outside any app (namespaces, cluster-metadata, the Argo CD hub) say who manages them. */
export const PLATFORM_LABELS = ['app.kubernetes.io/managed-by'] as const;

function missing(labels: unknown, required: readonly string[]): string[] {
  const l = labels !== null && typeof labels === 'object' ? (labels as Record<string, unknown>) : {};
  return required.filter((k) => typeof l[k] !== 'string' || l[k] === '');
}

export const standardLabels: Policy = {
  id: 'standard-labels',
  description: `Objects of an app, and their pod templates, carry the standard labels (${APP_LABELS.join(', ')}); objects outside apps carry app.kubernetes.io/managed-by.`,
  level: 'mandatory',
  check(object, context) {
    const required = !context.app ? PLATFORM_LABELS : context.app.kind === undefined || context.app.kind === 'spec' ? APP_LABELS : BROUGHT_APP_LABELS;
    const out: Finding[] = [];
    const hint = context.app
      ? 'the generator sets these labels; an overlay patch that replaces metadata/labels drops them (patch single labels instead)'
      : 'set app.kubernetes.io/managed-by on every generated object';
    const top = missing(object.metadata?.labels, required);
    if (top.length > 0) out.push({ pointer: object.metadata?.labels ? '/metadata/labels' : '/metadata', message: `missing label${top.length > 1 ? 's' : ''} ${top.join(', ')}`, hint });
    for (const pod of podTemplatesOf(object)) {
      if (pod.metadataPointer === '/metadata') continue;
      const m = missing(pod.labels, required);
      if (m.length > 0) out.push({ pointer: `${pod.metadataPointer}/labels`, message: `pod template is missing label${m.length > 1 ? 's' : ''} ${m.join(', ')}`, hint });
    }
    return out;
  },
};
