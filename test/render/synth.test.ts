/**
 * The charts' synthesis (charts/synth.ts) against cdk8s's own `chart.toJson()`, on the same
 * charts: every unit of the example fleet and of a synthetic one, and apps varied across what the
 * spec offers (cron jobs, ingresses, autoscaling, RBAC, external secrets, probes, env forms,
 * security contexts, network peers...). Compared as the YAML rendered/ would hold.
 */
import { describe, expect, it } from 'vitest';
import { syntheticFleet } from '../../bench/synthetic-fleet.js';
import { appChart, type ChartApp, type ChartEnv } from '../../generators/charts/app-chart.js';
import { namespaceChart } from '../../generators/charts/namespace-chart.js';
import type { KubeObject } from '../../generators/charts/object.js';
import { synthPlain } from '../../generators/charts/synth.js';
import { loadFleet, type Fleet } from '../../generators/load/fleet.js';
import { readSources } from '../../generators/workspace/inputs.js';
import type { AppSpec } from '../../generators/load/types.gen.js';
import { clusterMetadataChart } from '../../generators/metadata/cluster-metadata.js';
import { toYaml } from '../../generators/engine/yaml.js';
import { repoRoot } from '../helpers.js';

const yamlOf = (objects: KubeObject[]) => objects.map((o) => toYaml(o)).sort();

function expectSame(chart: import('cdk8s').Chart) {
  const ours = synthPlain(chart)!;
  expect(ours, 'the fast path took the chart').toBeDefined();
  const theirs = chart.toJson() as KubeObject[];
  expect(ours.length).toBe(theirs.length);
  expect(yamlOf(ours)).toEqual(yamlOf(theirs));
}

function everyUnit(fleet: Fleet): number {
  let n = 0;
  for (const env of fleet.environments) {
    expectSame(clusterMetadataChart(env));
    for (const ns of new Set(env.apps.map((a) => a.namespace))) expectSame(namespaceChart(ns, env));
    for (const app of env.apps) expectSame(appChart(app, env));
    n += env.apps.length + 2;
  }
  return n;
}

/** Variations of an app spec across the spec's features. */
function variants(original: AppSpec): AppSpec[] {
  const { ingress: _ingress, ...spec } = original;
  const ports = [
    { name: 'http', containerPort: 8080, servicePort: 80 },
    { name: 'grpc', containerPort: 9000, servicePort: 9000, protocol: 'TCP' as const },
    { name: 'dns', containerPort: 5353, protocol: 'UDP' as const },
  ];
  return [
    { ...spec, ports, serviceType: 'NodePort', replicas: 0, command: ['/bin/app'], args: ['--x', '1'], podAnnotations: { 'prometheus.io/scrape': 'true' } },
    { ...spec, ports, ingress: { host: 'x.example.com', port: 'http', path: '/api', public: true, annotations: { a: 'b' } } },
    { ...spec, ports, autoscaling: { minReplicas: 2, maxReplicas: 9, targetCPUUtilizationPercentage: 60, targetMemoryUtilizationPercentage: 80 }, disruptionBudget: { minAvailable: '50%' } },
    { ...spec, ports: [], disruptionBudget: { maxUnavailable: 1 }, probes: { readiness: { port: 8080 }, liveness: { port: 'http', path: '/live', initialDelaySeconds: 5, periodSeconds: 3, timeoutSeconds: 2, failureThreshold: 9 }, startup: { port: 8080, path: '/s' } } },
    { ...spec, cronJob: { schedule: '*/5 * * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2, backoffLimit: 4, activeDeadlineSeconds: 600 }, ports },
    { ...spec, cronJob: { schedule: '0 3 * * *' }, config: {}, env: [] },
    {
      ...spec,
      env: [
        { name: 'A', value: 'yes' },
        { name: 'B', fromField: 'metadata.namespace' },
        { name: 'C', fromSecret: { name: 's', key: 'k' } },
      ],
      externalSecrets: [
        { name: 'one', data: [{ secretKey: 'a', remoteKey: 'x/y' }] },
        { name: 'two', store: { kind: 'SecretStore', name: 'local' }, refreshInterval: '5m', data: [{ secretKey: 'b', remoteKey: 'x/z', property: 'p' }] },
      ],
    },
    { ...spec, securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, readOnlyRootFilesystem: false }, resources: { requests: { cpu: '0.5', memory: '1Gi' }, limits: { cpu: '2', memory: '2G' } } },
    { ...spec, rbac: { clusterRules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }, serviceAccount: { name: 'custom-sa' } },
    {
      ...spec,
      ports,
      networkPolicy: {
        ingressFrom: [{ app: 'peer', namespace: 'other', ports: [8080] }, { namespace: 'monitoring' }, { cidr: '10.1.0.0/16' }],
        egressTo: [{ app: 'peer', namespace: 'other' }, { cidr: '0.0.0.0/0', ports: [443, 80] }],
      },
    },
    { ...spec, image: { repository: 'r/x', digest: 'sha256:' + 'a'.repeat(64) } },
    { ...spec, image: { repository: 'r/x', tag: '1.2.3', digest: 'sha256:' + 'b'.repeat(64) } },
  ] as AppSpec[];
}

describe('synth', () => {
  it('gives what cdk8s gives on every unit of the example fleet', () => {
    expect(everyUnit(loadFleet(readSources(repoRoot)))).toBeGreaterThan(20);
  });

  it('gives what cdk8s gives on every unit of a synthetic fleet', () => {
    const fleet = loadFleet(new Map([...syntheticFleet({ apps: 25, envs: 3 })].filter(([p]) => p.endsWith('.yaml') || p.endsWith('.json'))));
    expect(everyUnit(fleet)).toBe(3 * 27);
  });

  it('gives what cdk8s gives across the features of the app spec', () => {
    const fleet = loadFleet(readSources(repoRoot));
    let n = 0;
    for (const env of fleet.environments) {
      for (const app of env.apps) {
        for (const spec of variants(app.spec)) {
          const chartApp: ChartApp = { ...app, spec };
          const chartEnv: ChartEnv = env;
          expectSame(appChart(chartApp, chartEnv));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});
