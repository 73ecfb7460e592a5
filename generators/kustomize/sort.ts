/**
 * Kustomize's output order. `kubectl kustomize` sorts by default ("legacy" order): kinds in a
 * fixed install order first (Namespace, ResourceQuota, StorageClass, CRDs, ServiceAccount, RBAC,
 * ConfigMap, Secret, Service...), webhooks last, the rest by group/version/kind; then by namespace
 * and name. `sortOptions: {order: fifo}` keeps the build order.
 */
import type { Resource } from './resource.js';
import type { SortOptions } from './kustomization.js';

const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

const byteCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortResources(resources: Resource[], options: SortOptions | undefined): Resource[] {
  if (options?.order === 'fifo') return resources;
  const first = options?.orderFirst ?? ORDER_FIRST;
  const last = options?.orderLast ?? ORDER_LAST;
  const rank = new Map<string, number>();
  first.forEach((k, i) => rank.set(k, -first.length + i));
  last.forEach((k, i) => rank.set(k, 1 + i));
  const keyed = resources.map((r) => {
    const id = r.curId();
    const gvkString = `${id.group || '~G'}_${id.version || '~V'}_${id.kind || '~K'}`;
    return { r, id, rank: rank.get(id.kind) ?? 0, gvkString, rest: `${id.namespace || '~X'}|${id.name || '~N'}` };
  });
  keyed.sort((a, b) => {
    const sameGvk = a.id.group === b.id.group && a.id.version === b.id.version && a.id.kind === b.id.kind;
    if (!sameGvk) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      if (a.id.kind === 'Namespace' && b.id.kind === 'Namespace' && (a.id.group === '' || b.id.group === '')) return byteCompare(b.gvkString, a.gvkString);
      return byteCompare(a.gvkString, b.gvkString);
    }
    return byteCompare(a.rest, b.rest);
  });
  return keyed.map((k) => k.r);
}
