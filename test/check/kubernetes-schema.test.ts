/**
 * The schema stage on its own: strict (kubeconform-style) validation of built-in kinds through
 * the @kubernetes-models validators, custom resources, unknown kinds, declared CRD schemas.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { loadDeclaredSchemas } from '../../generators/check/declared-schemas.js';
import { readFileSync } from 'node:fs';
import { ARGO_ROLLOUTS_FILE, banner, packageSchemas } from '../../generators/check/generate-argo-rollouts.js';
import { validateKubernetesObject } from '../../generators/check/kubernetes-schema.js';
import { BridgeErrors } from '../../generators/core/errors.js';
import { corpus } from './fixtures.js';

const deployment = () => structuredClone(corpus('passing.yaml')[0]!) as KubeObject & { spec: any };
const pointers = (o: object) => validateKubernetesObject(o as KubeObject).map((p) => p.pointer);

describe('built-in kinds, strictly', () => {
  it('a valid object has no problems', () => {
    for (const o of corpus('passing.yaml')) expect(validateKubernetesObject(o)).toEqual([]);
  });

  it('rejects unknown fields at any depth, with the pointer and a did-you-mean', () => {
    const d = deployment();
    d.spec.replica = 2;
    d.spec.template.spec.containers[0].securityContext.runAsNonroot = true;
    d.spec.template.spec.containers[0].resources.limit = { cpu: '1' };
    d.metadata.label = {};
    const problems = validateKubernetesObject(d);
    expect(problems).toEqual([
      { pointer: '/metadata/label', message: 'unknown field "label" (not in the apps/v1 Deployment schema)', hint: 'did you mean "labels"?' },
      { pointer: '/spec/replica', message: 'unknown field "replica" (not in the apps/v1 Deployment schema)', hint: 'did you mean "replicas"?' },
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/resources/limit', hint: 'did you mean "limits"?' }),
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/securityContext/runAsNonroot', hint: 'did you mean "runAsNonRoot"?' }),
    ]);
  });

  it('lists the allowed fields when nothing is near', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].ports[0].wibble = 1;
    const [p] = validateKubernetesObject(d);
    expect(p!.pointer).toBe('/spec/template/spec/containers/0/ports/0/wibble');
    expect(p!.hint).toBe('fields allowed here: containerPort, hostIP, hostPort, name, protocol');
  });

  it('learns parts seen for the first time in a later object, and forgets nothing it learned', () => {
    const plain = deployment();
    expect(validateKubernetesObject(plain)).toEqual([]);
    const spread = deployment();
    spread.spec.template.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { a: 'b' } } }];
    expect(validateKubernetesObject(spread)).toEqual([]);
    spread.spec.template.spec.topologySpreadConstraints[0].maxSkw = 1;
    expect(pointers(spread)).toEqual(['/spec/template/spec/topologySpreadConstraints/0/maxSkw']);
    expect(validateKubernetesObject(plain)).toEqual([]);
  });

  it('maps (labels, annotations, ConfigMap data, resource lists) take any key', () => {
    const d = deployment();
    d.metadata.annotations = { 'anything.example.com/at-all': 'x' };
    d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = '1';
    expect(validateKubernetesObject(d)).toEqual([]);
    expect(validateKubernetesObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'any.key': 'v', other: 'w' } })).toEqual([]);
  });

  it('reports invalid values once per place, in words', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    d.spec.template.spec.containers[0].resources.limits.cpu = 'lots';
    d.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    delete d.spec.selector;
    const problems = validateKubernetesObject(d);
    expect(problems).toEqual([
      expect.objectContaining({ pointer: '/spec', message: 'missing required field "selector"' }),
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/imagePullPolicy', message: '"imagePullPolicy" must be one of "Always", "IfNotPresent", "Never"' }),
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/ports/0/containerPort', message: '"containerPort" must be of type integer' }),
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/resources/limits/cpu', message: '"cpu" is not a valid quantity' }),
    ]);
  });

  it('an int-or-string takes both forms', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].readinessProbe.httpGet.port = 8080;
    expect(validateKubernetesObject(d)).toEqual([]);
  });
});

describe('custom resources', () => {
  it('ExternalSecret external-secrets.io/v1 is checked against the v1beta1 model of the same shape', () => {
    const es = corpus('passing.yaml').find((o) => o.kind === 'ExternalSecret')!;
    expect(validateKubernetesObject(es)).toEqual([]);
    const typo = structuredClone(es) as any;
    typo.spec.data[0].remoteRef.proprety = 'password';
    expect(validateKubernetesObject(typo)).toEqual([expect.objectContaining({ pointer: '/spec/data/0/remoteRef/proprety', hint: 'did you mean "property"?' })]);
  });

  it('Argo CD objects, with their free-form fields (helm valuesObject) left free', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'argocd' },
      spec: {
        project: 'p',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'n' },
        source: { repoURL: 'https://example.com/r.git', targetRevision: 'rendered', path: 'dev/a', helm: { valuesObject: { any: { thing: [1, { at: 'all' }] } } } },
        syncPolicy: { automated: { prune: true, selfheal: true } },
      },
    };
    expect(validateKubernetesObject(app as unknown as KubeObject)).toEqual([
      expect.objectContaining({ pointer: '/spec/syncPolicy/automated/selfheal', hint: 'did you mean "selfHeal"?' }),
    ]);
  });

  it('fields the model generator dropped from its validators (description) are still accepted where the CRD has them', () => {
    const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { description: 'the dev environment', sourceRepos: ['*'], roles: [{ name: 'ci', description: 'CI' }] } };
    expect(validateKubernetesObject(project as unknown as KubeObject)).toEqual([]);
    expect(pointers({ ...project, spec: { ...project.spec, descripton: 'typo' } })).toEqual(['/spec/descripton']);
    expect(pointers({ ...project, metadata: { name: 'p', description: 'not here' } })).toEqual(['/metadata/description']);
    expect(validateKubernetesObject({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, description: 'important' } as unknown as KubeObject)).toEqual([]);
  });
});

describe('Argo Rollouts (precompiled from @kubernetes-models/argo-rollouts)', () => {
  const rollout = () => ({
    ...deployment(),
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    spec: { ...deployment().spec, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }], trafficRouting: { alb: { ingress: 'shop-api', servicePort: 80, rootService: 'shop-api' } } } } },
  });

  it('a Rollout and an AnalysisTemplate, strictly: unknown fields in the strategy and the pod template, invalid values', () => {
    expect(validateKubernetesObject(rollout() as KubeObject)).toEqual([]);
    const r = rollout() as any;
    r.spec.strategy.canary.steps[0].setWeigth = 20;
    r.spec.strategy.canary.steps[1].pause.duration = true;
    r.spec.strategy.canary.trafficRouting.alb.rootservice = 'x';
    r.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateKubernetesObject(r)).toEqual([
      expect.objectContaining({ pointer: '/spec/strategy/canary/steps/0/setWeigth', hint: 'did you mean "setWeight"?' }),
      expect.objectContaining({ pointer: '/spec/strategy/canary/steps/1/pause/duration', message: expect.stringContaining('does not match any allowed form') }),
      expect.objectContaining({ pointer: '/spec/strategy/canary/trafficRouting/alb/rootservice', hint: 'did you mean "rootService"?' }),
      expect.objectContaining({ pointer: '/spec/template/spec/containers/0/imagePullPolicyy', message: 'unknown field "imagePullPolicyy" (not in the argoproj.io/v1alpha1 Rollout schema)' }),
    ]);
    const template = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'shop-api' }, spec: { args: [{ name: 'h' }], metrics: [{ name: 'm', interval: '1m', successCondition: 'result[0] > 1', provider: { prometheus: { address: 'http://p', query: 'q' } } }] } };
    expect(validateKubernetesObject(template as KubeObject)).toEqual([]);
    expect(pointers({ ...template, spec: { ...template.spec, metrics: [{ ...template.spec.metrics[0], provider: { prometheus: { adress: 'http://p' } } }] } })).toEqual(['/spec/metrics/0/provider/prometheus/adress']);
    expect(validateKubernetesObject({ ...template, kind: 'AnalysisTemplat' } as KubeObject)[0]!.hint).toBe('did you mean "AnalysisTemplate"?');
  });

  it('generators/check/argo-rollouts.gen.cjs is what `npm run schemas:types` makes from the installed package', () => {
    const first = readFileSync(ARGO_ROLLOUTS_FILE, 'utf8').split('\n', 1)[0];
    expect(first).toBe(banner(packageSchemas()));
  });
});

describe('unknown kinds', () => {
  it('a kind the API group does not have, with a did-you-mean', () => {
    expect(validateKubernetesObject({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toEqual([
      { pointer: '/kind', message: 'apps/v1 has no kind "Deploymnet"', hint: 'did you mean "Deployment"?' },
    ]);
    expect(pointers({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x' } })).toEqual(['/kind']);
  });

  it('an API version Kubernetes 1.33 no longer serves', () => {
    expect(validateKubernetesObject({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' } })).toEqual([
      expect.objectContaining({ pointer: '/apiVersion', message: 'apiVersion "policy/v1beta1" is not served by Kubernetes 1.33 (or has no installed model)', hint: expect.stringContaining('use policy/v1') }),
    ]);
  });

  it('a custom resource without a declared schema is refused, saying where to declare it', () => {
    expect(validateKubernetesObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      expect.objectContaining({ pointer: '/apiVersion', hint: expect.stringContaining('schemas/crds/example.com/widget_v1.json') }),
    ]);
  });
});

describe('declared schemas (schemas/crds/<group>/<kind>_<version>.json)', () => {
  const widgetSchema = {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1 },
          port: { 'x-kubernetes-int-or-string': true },
          note: { type: 'string', nullable: true },
          values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          raw: { 'x-kubernetes-preserve-unknown-fields': true },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
    },
  };
  const declared = loadDeclaredSchemas(new Map([['schemas/crds/example.com/widget_v1.json', JSON.stringify(widgetSchema)]]));
  const widget = (spec: object, metadata: object = { name: 'w' }) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec }) as unknown as KubeObject;

  it('makes the kind known, validated strictly, with the Kubernetes extensions understood', () => {
    expect(validateKubernetesObject(widget({ size: 2, port: 'http', note: null, values: { any: { thing: 1 } }, raw: [1, 2], labels: { a: 'b' }, items: [{ name: 'x' }] }), declared)).toEqual([]);
    expect(validateKubernetesObject(widget({ size: 2, port: 80 }), declared)).toEqual([]);
  });

  it('rejects unknown fields (also in metadata, checked against ObjectMeta) and invalid values', () => {
    const problems = validateKubernetesObject(widget({ size: 0, sise: 1, items: [{ nme: 'x' }] }, { name: 'w', lables: {} }), declared);
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([
      ['/metadata/lables', expect.stringContaining('unknown field "lables"')],
      ['/spec/items/0/nme', expect.stringContaining('unknown field "nme"')],
      ['/spec/sise', expect.stringContaining('unknown field "sise"')],
      ['/spec/size', '"size" must be >= 1'],
    ]);
    expect(problems.map((p) => p.hint).slice(0, 3)).toEqual(['did you mean "labels"?', 'did you mean "name"?', 'did you mean "size"?']);
  });

  it('refuses a misplaced or broken schema file, naming it', () => {
    const bad = (files: Record<string, string>) => {
      try {
        loadDeclaredSchemas(new Map(Object.entries(files)));
      } catch (e) {
        return (e instanceof BridgeErrors ? e.errors : [e as Error]).map((x) => x.message);
      }
      return [];
    };
    expect(bad({ 'schemas/crds/widget.json': '{}' })).toEqual(['unexpected file in schemas/crds/']);
    expect(bad({ 'schemas/crds/example.com/widget_v1.json': '{"type": "objekt"}' })[0]).toMatch(/does not compile/);
    expect(bad({ 'schemas/crds/example.com/widget_v1.json': '{' })[0]).toMatch(/JSON/);
  });
});
