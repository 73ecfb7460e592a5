/**
 * Progressive delivery (spec.rollout), rendered: canary apps (weight steps, pauses, analysis;
 * traffic through the ALB Ingress or by replicas) and a blue-green app, each unit's objects held
 * against each other (every name a Rollout, Service, Ingress, HPA, PDB, NetworkPolicy or
 * AnalysisTemplate refers to is a rendered object of the right kind that selects the right pods)
 * and against the strict schemas; the example fleet's overlays (dev plain, prod canary, staging
 * blue-green); and what the loader refuses, at the spec line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { validateKubernetesObject } from '../../generators/check/kubernetes-schema.js';
import { selects } from '../../generators/check/policies/pdb-in-production.js';
import { BridgeError, BridgeErrors } from '../../generators/core/errors.js';
import { readFleet } from '../../generators/workspace/fleet.js';
import { editFile, referenceRender, repoRoot, tempProject, type ReferenceRender } from '../helpers.js';

type Obj = KubeObject & { spec?: any };

/** The objects of one unit of a render, by kind and name. */
function unit(render: ReferenceRender, dir: string): Obj[] {
  return [...render.rendered].filter(([path]) => path.startsWith(`${dir}/`)).map(([, r]) => r.object as Obj);
}

/**
 * Every reference of the unit's Rollout resolved: each name it gives is an object of the right
 * kind in its namespace, Services and PDB and NetworkPolicy select its pods, the HPA scales it,
 * the Ingress routes the way its strategy needs, the analysis it runs exists with the arguments
 * it passes. Returns the Rollout.
 */
function expectConsistent(objects: Obj[]): Obj {
  const rollouts = objects.filter((o) => o.kind === 'Rollout');
  expect(rollouts).toHaveLength(1);
  expect(objects.filter((o) => o.kind === 'Deployment')).toEqual([]);
  const rollout = rollouts[0]!;
  const ns = rollout.metadata.namespace;
  const named = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
    expect(found, `${kind} ${ns}/${name} (referenced by the Rollout)`).toBeDefined();
    return found!;
  };
  const pods = rollout.spec.template.metadata.labels as Record<string, string>;
  const matches = (labels: Record<string, string>) => Object.keys(labels).length > 0 && Object.entries(labels).every(([k, v]) => pods[k] === v);
  expect(matches(rollout.spec.selector.matchLabels), 'its selector selects its own pods').toBe(true);
  const selectsPods = (service: Obj) => matches(service.spec.selector);

  const analyses: any[] = [];
  const canary = rollout.spec.strategy.canary;
  const blueGreen = rollout.spec.strategy.blueGreen;
  expect(Boolean(canary) !== Boolean(blueGreen), 'one strategy').toBe(true);
  const ingress = objects.find((o) => o.kind === 'Ingress');
  if (canary) {
    for (const step of canary.steps) if (step.analysis) analyses.push(step.analysis);
    const alb = canary.trafficRouting?.alb;
    if (alb) {
      const stable = named('Service', canary.stableService);
      const canarySvc = named('Service', canary.canaryService);
      const root = named('Service', alb.rootService);
      for (const s of [stable, canarySvc, root]) {
        expect(selectsPods(s), `Service ${s.metadata.name} selects the Rollout's pods`).toBe(true);
        expect(s.spec.ports.map((p: any) => p.port)).toContain(alb.servicePort);
      }
      const routed = named('Ingress', alb.ingress);
      const backends = routed.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
      expect(backends).toContainEqual({ name: alb.rootService, port: { name: 'use-annotation' } });
      const action = JSON.parse(routed.metadata.annotations![`alb.ingress.kubernetes.io/actions.${alb.rootService}`]!);
      expect(action.Type).toBe('forward');
      for (const g of action.ForwardConfig.TargetGroups) {
        named('Service', g.ServiceName);
        expect(g.ServicePort).toBe(String(alb.servicePort));
      }
      expect(action.ForwardConfig.TargetGroups.map((g: any) => [g.ServiceName, g.Weight])).toEqual([
        [canary.canaryService, 0],
        [canary.stableService, 100],
      ]);
      // Applied with the Rollout, which is InvalidSpec until the Ingress it routes through exists.
      expect(routed.metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe(rollout.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    } else {
      expect(canary.stableService).toBeUndefined();
      if (ingress) expect(ingress.spec.rules[0].http.paths[0].backend.service.port).not.toEqual({ name: 'use-annotation' });
    }
  } else {
    const active = named('Service', blueGreen.activeService);
    const preview = named('Service', blueGreen.previewService);
    for (const s of [active, preview]) expect(selectsPods(s)).toBe(true);
    if (ingress) expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(blueGreen.activeService);
    for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) if (blueGreen[key]) analyses.push(blueGreen[key]);
  }
  for (const a of analyses) {
    for (const t of a.templates) {
      const template = named('AnalysisTemplate', t.templateName);
      const declared = template.spec.args.map((x: any) => x.name).sort();
      expect(a.args.map((x: any) => x.name).sort(), 'the rollout fills every argument the template declares').toEqual(declared);
      // A template in the wave before its Rollout: a Rollout naming a missing template is InvalidSpec.
      expect(Number(template.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(rollout.metadata.annotations!['argocd.argoproj.io/sync-wave']));
    }
  }
  if (analyses.length === 0) expect(objects.filter((o) => o.kind === 'AnalysisTemplate'), 'no template unless asked').toEqual([]);

  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout.metadata.name });
    expect(rollout.spec).not.toHaveProperty('replicas');
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) expect(selects(pdb, pods)).toBe(true);
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) expect(matches(np.spec.podSelector.matchLabels)).toBe(true);
  for (const o of objects) expect(validateKubernetesObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  return rollout;
}

describe('rollouts of the example fleet', () => {
  let render: ReferenceRender;
  beforeAll(async () => {
    render = await referenceRender(readFleet(repoRoot));
  });

  it('prod storefront: a canary through the ALB, with an analysis step; dev keeps the plain Deployment', () => {
    expect(render.check.violations).toEqual([]);
    const rollout = expectConsistent(unit(render, 'prod/storefront'));
    expect(rollout.spec.strategy.canary.steps.map((s: object) => Object.keys(s)[0])).toEqual(['setWeight', 'pause', 'analysis', 'setWeight', 'pause']);
    // The overlay patch aimed at the workload reaches the Rollout's pod template.
    expect(rollout.spec.template.spec.topologySpreadConstraints).toHaveLength(1);
    const dev = unit(render, 'dev/storefront');
    expect(dev.map((o) => o.kind)).toContain('Deployment');
    expect(dev.filter((o) => ['Rollout', 'AnalysisTemplate'].includes(o.kind))).toEqual([]);
  });

  it('the Rollout has the Deployment\'s pod template: labels, config checksum, probes, security context', () => {
    const deployment = unit(render, 'dev/storefront').find((o) => o.kind === 'Deployment')!;
    const rollout = unit(render, 'prod/storefront').find((o) => o.kind === 'Rollout')!;
    const t = rollout.spec.template;
    const d = deployment.spec.template;
    expect(Object.keys(t.metadata.labels).sort()).toEqual(Object.keys(d.metadata.labels).sort());
    expect(t.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(t.spec.securityContext).toEqual(d.spec.securityContext);
    const [c] = t.spec.containers;
    const [dc] = d.spec.containers;
    expect(c.securityContext).toEqual(dc.securityContext);
    expect(c.readinessProbe).toEqual(dc.readinessProbe);
    expect(c.livenessProbe).toEqual(dc.livenessProbe);
    expect(c.readinessProbe.httpGet.port).toBe('http');
    expect(c.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
  });

  it('staging catalog-api: blue-green with a preview Service and pre-promotion analysis', () => {
    const objects = unit(render, 'staging/catalog-api');
    const rollout = expectConsistent(objects);
    expect(rollout.spec.strategy.blueGreen).toMatchObject({ activeService: 'catalog-api', previewService: 'catalog-api-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 60 });
    const template = objects.find((o) => o.kind === 'AnalysisTemplate')!;
    expect(template.spec.metrics).toEqual([
      expect.objectContaining({ name: 'success-rate', interval: '30s', count: 4, successCondition: 'result[0] >= 0.95', provider: { prometheus: { address: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090', query: expect.stringContaining('rollouts_pod_template_hash="{{args.pod-template-hash}}"') } } }),
    ]);
    expect(unit(render, 'prod/catalog-api').map((o) => o.kind)).toContain('Deployment');
  });
});

describe('rollouts rendered from the spec', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject();
  });
  afterAll(() => project.cleanup());

  /** orders-api's and catalog-api's specs given a rollout in one environment's overlay; the render of that environment. */
  async function renderWith(edits: Record<string, (text: string) => string>, env = 'prod'): Promise<ReferenceRender> {
    const originals = new Map<string, string>();
    try {
      for (const [file, fn] of Object.entries(edits)) {
        const path = join(project.root, file);
        originals.set(path, readFileSync(path, 'utf8'));
        editFile(path, fn);
      }
      return await referenceRender(readFleet(project.root), { environments: [env] });
    } finally {
      for (const [path, text] of originals) writeFileSync(path, text);
    }
  }
  const overlay = (spec: string) => (text: string) => text.replace(/^spec:\n/m, `spec:\n${spec}`);

  it('a canary by replicas (no ingress), a canary routed through the ALB with an autoscaler, and a blue-green with post-promotion analysis', async () => {
    const render = await renderWith({
      // catalog-api has no ingress: the weight is the share of pods (a canary in prod, blue-green in staging).
      'manifests/apps/catalog-api/overlays/prod.yaml': overlay(
        '  rollout:\n    strategy: canary\n    steps:\n      - setWeight: 25\n      - pause: { duration: 30s }\n      - setWeight: 75\n      - pause: {}\n',
      ),
      // orders-api: blue-green, promoted automatically after its analysis, against its own Prometheus from the bridge.
      'manifests/apps/orders-api/overlays/prod.yaml': overlay(
        '  rollout:\n    strategy: blueGreen\n    autoPromotion: true\n    postPromotionAnalysis: true\n    analysis:\n      prometheus: { fromBridge: orders_queue_url }\n      latency: { maxSeconds: 0.25 }\n',
      ),
    });
    expect(render.check.violations).toEqual([]);
    const catalog = expectConsistent(unit(render, 'prod/catalog-api'));
    expect(catalog.spec.strategy.canary).toEqual({
      maxSurge: '25%',
      maxUnavailable: 0,
      steps: [{ setWeight: 25 }, { pause: { duration: '30s' } }, { setWeight: 75 }, { pause: {} }],
    });
    expect(unit(render, 'prod/catalog-api').filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['catalog-api']);
    const orders = expectConsistent(unit(render, 'prod/orders-api'));
    expect(orders.spec.strategy.blueGreen).toMatchObject({ autoPromotionEnabled: true, scaleDownDelaySeconds: 30 });
    expect(orders.spec.strategy.blueGreen).not.toHaveProperty('prePromotionAnalysis');
    const template = unit(render, 'prod/orders-api').find((o) => o.kind === 'AnalysisTemplate')!;
    const fleet = readFleet(project.root);
    const prodOutputs = fleet.environments.find((e) => e.name === 'prod')!.outputs;
    expect(template.spec.metrics).toEqual([
      expect.objectContaining({ name: 'latency', successCondition: 'result[0] <= 0.25', provider: { prometheus: { address: prodOutputs['orders_queue_url'], query: expect.stringMatching(/^histogram_quantile\(0\.99, /) } } }),
    ]);
    expectConsistent(unit(render, 'prod/storefront'));
  });
});

describe('spec.rollout refused where it cannot work, at the spec line', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject();
  });
  afterAll(() => project.cleanup());

  // Edits of storefront's prod overlay (its canary) or of the prod environment, and what they cause (always named on the overlay's line).
  const OVERLAY = 'manifests/apps/storefront/overlays/prod.yaml';
  const PROD = 'manifests/environments/prod.yaml';
  const ANALYSIS = '    analysis:\n      successRate: { minimum: 0.99 }\n      latency: { maxSeconds: 0.5, quantile: 0.95 }\n';
  const cases: [string, [file: string, from: string, to: string][], RegExp, string][] = [
    ['a blue-green setting on a canary', [[OVERLAY, '    strategy: canary\n', '    strategy: canary\n    autoPromotion: true\n']], /"autoPromotion" is a blueGreen setting, and this rollout's strategy is canary/, '/spec/rollout/autoPromotion'],
    ['an analysis step without an analysis', [[OVERLAY, ANALYSIS, '']], /this runs the app's analysis, and spec.rollout.analysis is not set/, '/spec/rollout/steps/2'],
    ['an analysis no step runs', [[OVERLAY, '      - analysis: {}\n', '']], /spec.rollout.analysis is not used/, '/spec/rollout/analysis'],
    ['traffic through the Ingress of an app without one', [[OVERLAY, '  rollout:\n', '  ingress: null\n  rollout:\n    trafficRouting: ingress\n']], /traffic routing through the Ingress needs spec.ingress/, '/spec/rollout/trafficRouting'],
    [
      'traffic through an Ingress whose controller Argo Rollouts is not set up to drive here',
      [
        [OVERLAY, '  rollout:\n', '  rollout:\n    trafficRouting: ingress\n'],
        [PROD, 'className: alb', 'className: nginx'],
      ],
      /uses ingress class "nginx", and canary traffic is routed only through alb Ingresses/,
      '/spec/rollout/trafficRouting',
    ],
    ['an analysis without a Prometheus', [[PROD, '  prometheus:\n    address: http://kube-prometheus-stack-prometheus.monitoring.svc:9090\n', '']], /no Prometheus address for the analysis in environment "prod"/, '/spec/rollout/analysis'],
    ['a rollout on a CronJob app', [[OVERLAY, '  rollout:\n', '  cronJob: { schedule: "@hourly" }\n  rollout:\n']], /a CronJob app has no rollout/, '/spec/rollout'],
  ];
  it.each(cases)('%s', (_what, edits, message, pointer) => {
    const originals = new Map(edits.map(([file]) => [join(project.root, file), readFileSync(join(project.root, file), 'utf8')]));
    try {
      for (const [file, from, to] of edits) {
        expect(originals.get(join(project.root, file))).toContain(from);
        editFile(join(project.root, file), (t) => t.replace(from, to));
      }
      let errors: BridgeError[] = [];
      try {
        readFleet(project.root);
      } catch (e) {
        errors = e instanceof BridgeErrors ? e.errors : [e as BridgeError];
      }
      const found = errors.find((x) => x instanceof BridgeError && message.test(x.message));
      expect(found, errors.map((e) => e.message).join('\n')).toBeDefined();
      expect(found!.file).toBe(OVERLAY);
      expect(found!.pointer).toBe(pointer);
      expect(found!.line).toBeGreaterThan(0);
    } finally {
      for (const [path, text] of originals) writeFileSync(path, text);
    }
  });

  it('an ingress class Argo Rollouts is not driven through here: the canary falls back to replicas', async () => {
    const path = join(project.root, PROD);
    const original = readFileSync(path, 'utf8');
    try {
      editFile(path, (t) => t.replace('className: alb', 'className: nginx'));
      const render = await referenceRender(readFleet(project.root), { environments: ['prod'], apps: ['storefront'] });
      const rollout = expectConsistent(unit(render, 'prod/storefront'));
      expect(rollout.spec.strategy.canary).not.toHaveProperty('trafficRouting');
    } finally {
      writeFileSync(path, original);
    }
  });
});
