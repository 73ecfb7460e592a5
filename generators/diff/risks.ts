/** Which changes deserve a second look before merge. Pure. */
import { CLUSTER_SCOPED_KINDS } from '../charts/object.js';
import type { Risk, ResourceChange } from './model.js';

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** An image field of a container, init container or ephemeral container, at any depth (Deployment, CronJob...). */
const IMAGE_FIELD = /[cC]ontainers\[[^\]]+\]\.image$/;
const CONTAINER = /[cC]ontainers\[name=[^\]]+\]$/;
const STORAGE_KINDS = new Set(['PersistentVolumeClaim', 'PersistentVolume']);

export function isClusterScoped(kind: string | undefined): boolean {
  return kind !== undefined && CLUSTER_SCOPED_KINDS.has(kind);
}

/**
 * The risks of one resource change, in a fixed order. `tier` is the environment's tier, when
 * known; `values`, the object on each side (what a Rollout's strategy is read from).
 */
export function risksOf(change: Omit<ResourceChange, 'risks'>, tier: string | undefined, values: { before?: unknown; after?: unknown } = {}): Risk[] {
  const risks: Risk[] = [];
  const verb = change.status === 'added' ? 'added' : change.status === 'removed' ? 'deleted' : 'changed';
  if (change.status === 'removed') risks.push({ type: 'deletion', detail: `${change.kind ?? 'file'} deleted` });
  if (tier === 'production') risks.push({ type: 'production', detail: `${verb} in a production environment` });
  for (const f of change.fields) {
    if (/^spec\.replicas$/.test(f.path) && f.after === 0 && f.before !== 0) {
      risks.push({ type: 'scale-to-zero', detail: `replicas ${show(f.before)} -> 0` });
    }
  }
  for (const f of change.fields) {
    if (IMAGE_FIELD.test(f.path)) risks.push({ type: 'image', detail: imageChange(f.before, f.after) });
    else if (CONTAINER.test(f.path) && f.op !== 'replace') risks.push({ type: 'image', detail: `container ${f.op === 'add' ? 'added' : 'removed'}: ${show(imageOf(f.after ?? f.before))}` });
  }
  if (change.kind && RBAC_KINDS.has(change.kind)) risks.push({ type: 'rbac', detail: `${change.kind} ${verb}` });
  if (isClusterScoped(change.kind)) risks.push({ type: 'cluster-scoped', detail: `cluster-scoped ${change.kind} ${verb}` });
  if (change.kind && STORAGE_KINDS.has(change.kind)) risks.push({ type: 'pvc', detail: `${change.kind} ${verb}` });
  else if (change.fields.some((f) => f.path.includes('volumeClaimTemplates'))) risks.push({ type: 'pvc', detail: 'volumeClaimTemplates changed' });
  if (change.kind === 'CustomResourceDefinition') risks.push({ type: 'crd', detail: `CustomResourceDefinition ${verb}` });
  if (change.previousNamespace !== undefined && change.previousNamespace !== change.namespace) {
    risks.push({ type: 'namespace-move', detail: `namespace ${change.previousNamespace || '(none)'} -> ${change.namespace ?? '(none)'}` });
  }
  const rollout = tier === 'production' && change.kind === 'Rollout' ? rolloutChange(change, values) : undefined;
  if (rollout) risks.push({ type: 'rollout', detail: rollout });
  return risks;
}

/**
 * How a production Rollout's way of releasing changed: added or removed (a switch from or to a
 * Deployment), another strategy, another list of canary steps, or another strategy setting.
 * Undefined when the strategy is untouched (an image change releases the usual way).
 */
function rolloutChange(change: Omit<ResourceChange, 'risks'>, values: { before?: unknown; after?: unknown }): string | undefined {
  const before = strategyOf(values.before);
  const after = strategyOf(values.after);
  if (change.status === 'added') return `Rollout added: ${describeStrategy(after)}`;
  if (change.status === 'removed') return `Rollout removed: ${describeStrategy(before)}`;
  if (before?.name !== after?.name) return `strategy ${describeStrategy(before)} -> ${describeStrategy(after)}`;
  if (change.fields.some((f) => f.path.startsWith('spec.strategy.canary.steps'))) return `canary steps changed: ${stepsOf(before)} -> ${stepsOf(after)}`;
  const setting = change.fields.find((f) => f.path.startsWith('spec.strategy.'));
  return setting ? `${setting.path.slice('spec.strategy.'.length)}: ${show(setting.before)} -> ${show(setting.after)}` : undefined;
}

/** A Rollout's strategy (canary, blueGreen) and its canary steps, in short (`setWeight 10`, `pause 5m`, `pause`, `analysis`). */
function strategyOf(object: unknown): { name: string; steps?: string[] } | undefined {
  const strategy = (object as { spec?: { strategy?: Record<string, unknown> } } | undefined)?.spec?.strategy;
  if (typeof strategy !== 'object' || strategy === null) return undefined;
  const name = Object.keys(strategy).sort()[0];
  if (name === undefined) return undefined;
  const steps = (strategy[name] as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return { name };
  return {
    name,
    steps: steps.map((s: unknown) => {
      const [kind, value] = Object.entries(typeof s === 'object' && s !== null ? s : {})[0] ?? ['?', undefined];
      if (kind === 'setWeight') return `setWeight ${show(value)}`;
      if (kind === 'pause') return (value as { duration?: unknown } | undefined)?.duration !== undefined ? `pause ${show((value as { duration: unknown }).duration)}` : 'pause';
      return kind;
    }),
  };
}

function describeStrategy(s: { name: string; steps?: string[] } | undefined): string {
  if (!s) return '(none)';
  return s.steps ? `${s.name}, ${s.steps.length} step${s.steps.length === 1 ? '' : 's'}` : s.name;
}

function stepsOf(s: { steps?: string[] } | undefined): string {
  return `[${(s?.steps ?? []).join(', ')}]`;
}

/** `repo 2.8.1 -> 2.9.0` when only the tag or digest changed, else both references in full. */
export function imageChange(before: unknown, after: unknown): string {
  const a = splitImage(before);
  const b = splitImage(after);
  if (a && b && a.repository === b.repository) return `${a.repository} ${a.version} -> ${b.version}`;
  return `${show(before)} -> ${show(after)}`;
}

function splitImage(ref: unknown): { repository: string; version: string } | undefined {
  if (typeof ref !== 'string') return undefined;
  const at = ref.indexOf('@');
  if (at > 0) return { repository: ref.slice(0, at), version: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), version: ref.slice(colon + 1) };
  return { repository: ref, version: 'latest' };
}

function imageOf(container: unknown): unknown {
  return typeof container === 'object' && container !== null ? (container as { image?: unknown }).image : undefined;
}

/** A short one-line rendering of a value for risk details and summaries. */
export function show(value: unknown, max = 120): string {
  if (value === undefined) return '(none)';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
