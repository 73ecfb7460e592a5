/** The standard labels every rendered object carries. Pure. */
import type { AppInstance, SpecAppInstance } from '../load/fleet.js';

/** What the labels read of an app instance. */
export type LabelledApp = Pick<SpecAppInstance, 'name' | 'environment' | 'source' | 'spec'>;

export const MANAGED_BY = 'gitops-bridge';

/** A label-safe version: the image tag, or a shortened digest (label values allow no ':'). */
export function versionOf(image: SpecAppInstance['spec']['image']): string {
  if (image.tag) return image.tag.slice(0, 63);
  return `sha256-${(image.digest ?? '').replace(/^sha256:/, '').slice(0, 16)}`;
}

/** Labels that select the app's pods; stable across versions (a Deployment's selector is immutable). */
export function selectorLabels(app: Pick<AppInstance, 'name' | 'environment'>): Record<string, string> {
  return {
    'app.kubernetes.io/name': app.name,
    'app.kubernetes.io/instance': `${app.name}-${app.environment}`,
  };
}

export function appLabels(app: LabelledApp): Record<string, string> {
  return {
    ...selectorLabels(app),
    'app.kubernetes.io/version': versionOf(app.spec.image),
    'app.kubernetes.io/part-of': app.spec.partOf ?? app.spec.team,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/component': app.source === 'addon' ? 'addon' : app.spec.cronJob ? 'job' : 'service',
    environment: app.environment,
    team: app.spec.team,
  };
}
