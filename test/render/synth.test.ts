/**
 * The charts' synthesis (charts/synth.ts) against cdk8s's own `chart.toJson()`, on the same
 * charts: every unit of the example fleet and of a synthetic one, and apps varied across what the
 * spec offers (cron jobs, ingresses, autoscaling, RBAC, external secrets, probes, env forms,
 * security contexts, network peers...). Compared as the YAML rendered/ would hold. Then every
 * kind and field the fast path accepts (charts/synth-kinds.ts), filled in, against cdk8s; and
 * what it leaves to cdk8s, which renames and drops fields (`ref` -> `$ref`, unknown keys).
 */
import { readFleet } from '../../generators/workspace/fleet.js';
import { ApiObject, App, Chart, JsonPatch, Lazy, type IResolver, type ResolutionContext } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { syntheticFleet } from '../../bench/synthetic-fleet.js';
import { appChart, type ChartApp, type ChartEnv } from '../../generators/charts/app-chart.js';
import { namespaceChart } from '../../generators/charts/namespace-chart.js';
import { k8s, type KubeObject } from '../../generators/charts/object.js';
import { FAST_KINDS, type Field } from '../../generators/charts/synth-kinds.js';
import { add, synth, synthPlain } from '../../generators/charts/synth.js';
import { loadFleet, type Fleet } from '../../generators/load/fleet.js';
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
  expect(ours.map((o) => `${o.kind}/${o.metadata.name}`), 'in the same order').toEqual(theirs.map((o) => `${o.kind}/${o.metadata.name}`));
}

function everyUnit(fleet: Fleet): number {
  let n = 0;
  for (const env of fleet.environments) {
    expectSame(clusterMetadataChart(env));
    for (const ns of new Set(env.apps.map((a) => a.namespace))) expectSame(namespaceChart(ns, env));
    for (const app of env.apps) if (app.kind === 'spec') expectSame(appChart(app, env));
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
    { ...spec, serviceAccount: { name: 'irsa-sa', aws: { identity: 'irsa', roleOutput: 'orders_api_iam_role_arn' } } },
    { ...spec, serviceAccount: { aws: { identity: 'pod-identity', roleOutput: 'orders_api_iam_role_arn' } }, networkPolicy: { egressTo: [{ cidr: '0.0.0.0/0', ports: [443] }] } },
    { ...spec, image: { repository: 'r/x', digest: 'sha256:' + 'a'.repeat(64) } },
    { ...spec, image: { repository: 'r/x', tag: '1.2.3', digest: 'sha256:' + 'b'.repeat(64) } },
    // Argo Rollouts: a canary through the ALB Ingress with an analysis and an HPA, a canary by replicas, a blue-green.
    {
      ...spec,
      ports,
      ingress: { host: 'x.example.com', port: 'http' },
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
      rollout: {
        strategy: 'canary',
        trafficRouting: 'ingress',
        steps: [{ setWeight: 10 }, { pause: { duration: '1m' } }, { analysis: {} }, { pause: {} }],
        analysis: { prometheus: { address: 'http://prometheus:9090' }, successRate: { minimum: 0.99 }, latency: { maxSeconds: 0.3, quantile: 0.9, query: 'q' } },
      },
    },
    { ...spec, ports, rollout: { strategy: 'canary', trafficRouting: 'replicas', steps: [{ setWeight: 50 }, { pause: {} }] } },
    {
      ...spec,
      ports,
      rollout: { strategy: 'blueGreen', autoPromotion: true, scaleDownDelaySeconds: 5, prePromotionAnalysis: true, postPromotionAnalysis: true, analysis: { prometheus: { address: 'http://p:9090' }, successRate: { minimum: 0.9, query: 'q' } } },
    },
  ] as AppSpec[];
}

describe('synth', () => {
  it('gives what cdk8s gives on every unit of the example fleet', () => {
    expect(everyUnit(readFleet(repoRoot))).toBeGreaterThan(20);
  });

  it('gives what cdk8s gives on every unit of a synthetic fleet', () => {
    const fleet = loadFleet(new Map([...syntheticFleet({ apps: 25, envs: 3 })].filter(([p]) => p.endsWith('.yaml') || p.endsWith('.json'))));
    expect(everyUnit(fleet)).toBe(3 * 27);
  });

  it('gives what cdk8s gives across the features of the app spec', () => {
    const fleet = readFleet(repoRoot);
    let n = 0;
    for (const env of fleet.environments) {
      for (const app of env.apps) {
        if (app.kind !== 'spec') continue;
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

  it('takes the Argo Rollouts objects on the fast path', () => {
    const fleet = readFleet(repoRoot);
    const prod = fleet.environments.find((e) => e.name === 'prod')!;
    const storefront = prod.apps.find((a) => a.name === 'storefront')!;
    if (storefront.kind !== 'spec') throw new Error('storefront is a spec app');
    const kinds = synthPlain(appChart(storefront, prod))!.map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Rollout', 'AnalysisTemplate']));
    expect(kinds).not.toContain('Deployment');
  });
});

/** cdk8s's own output, with the objects in its order, each as rendered/ would hold it. */
const cdk8sOutput = (chart: Chart) => (chart.toJson() as KubeObject[]).map((o) => toYaml(o));

/**
 * A value for every field of a shape. Variant 0 to 3 vary what an as-is field holds (text, a
 * number, a boolean, nested data with nulls, empty objects and a Quantity inside; only text with
 * `text`, as cdk8s's metadata expects) and which union class and value a union field holds.
 */
function sample(field: Field, variant: number, text = false): unknown {
  const next = (variant + 1) % 4;
  switch (field.t) {
    case 'as-is':
      return text ? `text-${variant}` : ['text', 7, true, { a: [1, 'b', { c: true, d: null, e: undefined, q: k8s.Quantity.fromString('1Gi') }], f: null, g: {}, h: [] }][variant];
    case 'union':
      return [k8s.IntOrString.fromNumber(8080), k8s.IntOrString.fromString('50%'), k8s.Quantity.fromString('250m'), k8s.Quantity.fromNumber(2)][variant];
    case 'list':
      return [sample(field.of, variant, text), sample(field.of, next, text)];
    case 'map':
      return { 'example.com/a': sample(field.of, variant, text), b: sample(field.of, next, text), c: undefined, d: null };
    case 'object':
      return Object.fromEntries([...field.fields].map(([name, f]) => [name, sample(f, variant, text || name === 'metadata')]));
  }
}

/** Props for a kind with every field filled in. */
function fullProps(kind: Function, fields: Field, variant: number): Record<string, unknown> {
  if (kind !== ApiObject) return sample(fields, variant) as Record<string, unknown>;
  // A plain ApiObject takes any body.
  const metadata = { name: `object-${variant}`, namespace: 'ns', labels: { a: 'b', 'example.com/c': 'd' }, annotations: { e: 'f' }, generateName: 'g' };
  return { apiVersion: 'example.com/v1', kind: 'Example', metadata, spec: sample(AS_IS_FIELD, 3), other: sample(AS_IS_FIELD, variant) };
}
const AS_IS_FIELD: Field = { t: 'as-is' };

describe('synth: the fast path', () => {
  it('gives what cdk8s gives for every kind and field it accepts', () => {
    let n = 0;
    for (const [kind, fields] of FAST_KINDS) {
      for (let variant = 0; variant < 4; variant++) {
        const chart = new Chart(new App(), 'c', { namespace: 'default-ns', labels: { chart: 'label' }, disableResourceNameHashes: true });
        add(chart, kind as typeof ApiObject, 'one', fullProps(kind, fields, variant) as never);
        add(chart, kind as typeof ApiObject, 'two', { ...fullProps(kind, fields, (variant + 2) % 4), metadata: {} } as never);
        const ours = synthPlain(chart);
        expect(ours, `the fast path took ${kind.name} (variant ${variant})`).toBeDefined();
        expect(ours!.map((o) => toYaml(o)), `${kind.name} (variant ${variant})`).toEqual(cdk8sOutput(chart));
        n++;
      }
    }
    expect(n).toBe(FAST_KINDS.size * 4);
  });

  // What the fast path leaves to cdk8s: synth() gives cdk8s's output, which is not the props as given.
  const refused: [string, (chart: Chart) => void, (objects: KubeObject[]) => void][] = [
    [
      'a kind it does not list (a CRD: `openApiv3Schema` and JSONSchemaProps `ref` render as `openAPIV3Schema` and `$ref`)',
      (chart) =>
        add(chart, k8s.KubeCustomResourceDefinition, 'crd', {
          metadata: { name: 'widgets.example.com' },
          spec: {
            group: 'example.com',
            names: { kind: 'Widget', plural: 'widgets' },
            scope: 'Namespaced',
            versions: [
              {
                name: 'v1',
                served: true,
                storage: true,
                schema: { openApiv3Schema: { type: 'object', properties: { spec: { ref: '#/definitions/spec', xKubernetesPreserveUnknownFields: true } } } },
              },
            ],
            unknownKey: 'dropped',
          } as never,
        }),
      ([crd]) => {
        const spec = (crd!.spec as { versions: { schema: { openAPIV3Schema: { properties: { spec: object } } } }[] }).versions[0]!.schema.openAPIV3Schema.properties.spec;
        expect(spec).toEqual({ $ref: '#/definitions/spec', 'x-kubernetes-preserve-unknown-fields': true });
        expect(crd!.spec).not.toHaveProperty('unknownKey');
      },
    ],
    [
      'a field it does not list (Service `clusterIp` renders as `clusterIP`)',
      (chart) => add(chart, k8s.KubeService, 'service', { metadata: { name: 's' }, spec: { clusterIp: 'None', ports: [{ port: 80 }] } }),
      ([service]) => expect(service!.spec).toEqual({ clusterIP: 'None', ports: [{ port: 80 }] }),
    ],
    [
      'a key the type does not have (dropped)',
      (chart) => add(chart, k8s.KubeDeployment, 'deployment', { metadata: { name: 'd' }, spec: { replica: 3, selector: {}, template: {} } as never }),
      ([deployment]) => expect(deployment!.spec).toEqual({ selector: {}, template: {} }),
    ],
    [
      'a number where an IntOrString belongs (dropped)',
      (chart) => add(chart, k8s.KubePodDisruptionBudget, 'pdb', { metadata: { name: 'p' }, spec: { minAvailable: 1 as never } }),
      ([pdb]) => expect(pdb!.spec).toEqual({}),
    ],
    [
      'a Lazy value',
      (chart) => add(chart, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' }, data: { a: Lazy.any({ produce: () => 'lazy' }) } }),
      ([config]) => expect(config!.data).toEqual({ a: 'lazy' }),
    ],
    [
      'an object built without add()',
      (chart) => new k8s.KubeConfigMap(chart, 'config', { metadata: { name: 'c' }, data: { a: 'b' } }),
      ([config]) => expect(config!.data).toEqual({ a: 'b' }),
    ],
    [
      'an object of a subclass, or with a toJson() of its own',
      (chart) => {
        class Labelled extends k8s.KubeConfigMap {
          override toJson() {
            return { ...super.toJson(), extra: 'subclass' };
          }
        }
        add(chart, Labelled, 'one', { metadata: { name: 'one' } });
        const two = add(chart, k8s.KubeConfigMap, 'two', { metadata: { name: 'two' } });
        two.toJson = () => ({ ...k8s.KubeConfigMap.prototype.toJson.call(two), extra: 'own' });
      },
      (objects) => expect(objects.map((o) => o.extra)).toEqual(['subclass', 'own']),
    ],
    [
      'a JSON patch',
      (chart) => add(chart, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' }, data: { a: 'b' } }).addJsonPatch(JsonPatch.add('/data/b', 'patched')),
      ([config]) => expect(config!.data).toEqual({ a: 'b', b: 'patched' }),
    ],
    [
      'a dependency (it orders the objects)',
      (chart) => {
        const later = add(chart, k8s.KubeConfigMap, 'later', { metadata: { name: 'later' } });
        later.addDependency(add(chart, k8s.KubeConfigMap, 'first', { metadata: { name: 'first' } }));
      },
      (objects) => expect(objects.map((o) => o.metadata.name)).toEqual(['first', 'later']),
    ],
    [
      'a null in a list',
      (chart) => add(chart, k8s.KubeClusterRole, 'role', { metadata: { name: 'r' }, rules: [{ verbs: ['get', null as never] }] }),
      ([role]) => expect(role!.rules).toEqual([{ verbs: ['get', undefined] }]),
    ],
  ];

  it.each(refused)('leaves %s to cdk8s', (_what, build, expectOutput) => {
    const make = () => {
      const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
      build(chart);
      return chart;
    };
    const chart = make();
    expect(synthPlain(chart)).toBeUndefined();
    const objects = synth(chart);
    expect(objects.map((o) => toYaml(o))).toEqual(cdk8sOutput(make()));
    expectOutput(objects);
  });

  it('leaves to cdk8s an App with resolvers of its own, with other charts, a chart with a toJson() of its own, or something to report', () => {
    const upper: IResolver = {
      resolve: (context: ResolutionContext) => {
        if (context.value === 'text') context.replaceValue('TEXT');
      },
    };
    const withResolver = new Chart(new App({ resolvers: [upper] }), 'c');
    add(withResolver, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' }, data: { a: 'text' } });
    expect(synthPlain(withResolver)).toBeUndefined();
    expect(synth(withResolver)[0]!.data).toEqual({ a: 'TEXT' });

    const app = new App();
    const shared = new Chart(app, 'one');
    add(new Chart(app, 'two'), k8s.KubeConfigMap, 'config', { metadata: { name: 'c' } });
    add(shared, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' } });
    expect(synthPlain(shared)).toBeUndefined();
    expect(synth(shared)).toEqual(shared.toJson());

    class OwnChart extends Chart {
      override toJson() {
        return super.toJson().map((o: object) => ({ ...o, extra: 'chart' }));
      }
    }
    const own = new OwnChart(new App(), 'c');
    add(own, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' } });
    expect(synthPlain(own)).toBeUndefined();
    expect(synth(own)[0]!.extra).toBe('chart');

    const invalid = new Chart(new App(), 'c');
    add(invalid, k8s.KubeConfigMap, 'config', { metadata: { name: 'c' } }).node.addValidation({ validate: () => ['not valid'] });
    expect(synthPlain(invalid)).toBeUndefined();
    expect(() => synth(invalid)).toThrow(/not valid/);
  });
});
