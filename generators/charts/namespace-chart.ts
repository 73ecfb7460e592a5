/**
 * One namespace of an environment: the Namespace, its ResourceQuota and LimitRange, and a
 * default-deny NetworkPolicy that each app's own policy opens up. Pure.
 */
import { App, Chart } from 'cdk8s';
import type { EnvironmentInstance } from '../load/fleet.js';
import type { ResourceList } from '../load/types.gen.js';
import { MANAGED_BY } from './labels.js';
import { k8s, type KubeObject } from './object.js';
import { add, synth } from './synth.js';

/** What a namespace's chart reads of its environment: of its apps, only namespaces and teams. */
export interface NamespaceEnv {
  name: string;
  spec: EnvironmentInstance['spec'];
  apps: readonly { namespace: string; team?: string }[];
}

const quantities = (r: ResourceList) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k8s.Quantity.fromString(v as string)]));

export function namespaceObjects(namespace: string, env: NamespaceEnv): KubeObject[] {
  return synth(namespaceChart(namespace, env));
}

/** The namespace's chart, built (synthesised by namespaceObjects). */
export function namespaceChart(namespace: string, env: NamespaceEnv): Chart {
  const apps = env.apps.filter((a) => a.namespace === namespace);
  const teams = [...new Set(apps.flatMap((a) => (a.team === undefined ? [] : [a.team])))].sort();
  const chart = new Chart(new App(), namespace, { disableResourceNameHashes: true });
  const labels = {
    'app.kubernetes.io/managed-by': MANAGED_BY,
    environment: env.name,
    ...(teams.length === 1 && { team: teams[0]! }),
  };
  const d = env.spec.namespaceDefaults;

  add(chart, k8s.KubeNamespace, 'namespace', {
    metadata: {
      name: namespace,
      labels: {
        ...labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
  add(chart, k8s.KubeResourceQuota, 'quota', {
    metadata: { name: `${namespace}-quota`, namespace, labels },
    spec: {
      hard: {
        ...prefixed('requests.', quantities(d.quota.requests)),
        ...prefixed('limits.', quantities(d.quota.limits)),
        pods: k8s.Quantity.fromNumber(d.quota.pods),
      },
    },
  });
  add(chart, k8s.KubeLimitRange, 'limits', {
    metadata: { name: `${namespace}-limits`, namespace, labels },
    spec: {
      limits: [{ type: 'Container', default: quantities(d.limitRange.default), defaultRequest: quantities(d.limitRange.defaultRequest) }],
    },
  });
  add(chart, k8s.KubeNetworkPolicy, 'default-deny', {
    metadata: { name: `${namespace}-default-deny`, namespace, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  return chart;
}

function prefixed<T>(prefix: string, o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [prefix + k, v]));
}
