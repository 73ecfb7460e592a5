/** references-resolve: selectors and scale targets resolve in the object's environment and namespace. */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { referencesResolve } from '../../generators/check/policies/references-resolve.js';
import type { PolicyContext } from '../../generators/check/policies/types.js';
import { checkObjects, corpus } from './fixtures.js';

const passing = () => corpus('passing.yaml') as (KubeObject & { spec: any })[];
const of = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind)! as KubeObject & { spec: any };
/** The references-resolve findings of the objects, checked as one app's in prod: "file pointer: message". */
const findings = (objects: KubeObject[]) =>
  checkObjects(objects)
    .violations.filter((v) => v.policy === 'references-resolve')
    .map((v) => `${v.file.slice(v.file.lastIndexOf('/') + 1)} ${v.pointer}: ${v.message}`);

describe('references-resolve', () => {
  it('the passing corpus resolves: the Service and the PDB select the Deployment, the Service port is one of its pods', () => {
    expect(findings(passing())).toEqual([]);
  });

  it('a Service, PDB or NetworkPolicy that selects no pod template', () => {
    const objects = passing();
    of(objects, 'Service').spec.selector = { 'app.kubernetes.io/name': 'shop-web' };
    of(objects, 'PodDisruptionBudget').spec.selector = { matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'shop-api', namespace: 'corpus', labels: of(objects, 'Service').metadata.labels }, spec: { podSelector: { matchLabels: { app: 'nothing' } } } } as any);
    expect(findings(objects)).toEqual([
      'networkpolicy-shop-api.yaml /spec/podSelector: the podSelector matches no pod template in namespace "corpus" of environment prod',
      'poddisruptionbudget-shop-api.yaml /spec/selector: the selector matches no pod template in namespace "corpus" of environment prod',
      'service-shop-api.yaml /spec/selector: the selector matches no pod template in namespace "corpus" of environment prod',
    ]);
  });

  it("a CronJob's pod template counts; a NetworkPolicy for every pod ({}) needs none", () => {
    const objects = passing().filter((o) => o.kind !== 'Deployment' && o.kind !== 'PodDisruptionBudget');
    const service = of(objects, 'Service');
    service.spec.ports[0].targetPort = 8080;
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'corpus', labels: service.metadata.labels }, spec: { podSelector: {} } } as any);
    expect(findings(objects)).toEqual([]);
  });

  it("a Service's named targetPort is a port of the pods it selects", () => {
    const objects = passing();
    of(objects, 'Service').spec.ports[0].targetPort = 'web';
    expect(findings(objects)).toEqual(['service-shop-api.yaml /spec/ports/0/targetPort: targetPort "web" is not a port of the pods the Service selects (Deployment "shop-api", CronJob "shop-report")']);
  });

  it('an HPA scales a Deployment of its namespace; not a CronJob, not one that is missing', () => {
    const objects = passing();
    const hpa = (kind: string, name: string, apiVersion = 'apps/v1') =>
      ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: 'corpus', labels: of(objects, 'Service').metadata.labels }, spec: { scaleTargetRef: { apiVersion, kind, name }, maxReplicas: 3 } }) as any;
    expect(findings([...objects, hpa('Deployment', 'shop-api')])).toEqual([]);
    const report = checkObjects([...objects, hpa('CronJob', 'shop-report', 'batch/v1'), hpa('Deployment', 'shop-web'), hpa('Deployment', 'shop-api', 'extensions/v1beta1')]);
    expect(report.violations.filter((v) => v.policy === 'references-resolve').map((v) => [v.file, v.pointer, v.message, v.hint])).toEqual([
      [
        'rendered/prod/shop-api/horizontalpodautoscaler-shop-api.yaml',
        '/spec/scaleTargetRef/apiVersion',
        'Deployment is not in API group "extensions" (apiVersion "extensions/v1beta1")',
        'use apiVersion apps/v1',
      ],
      [
        'rendered/prod/shop-api/horizontalpodautoscaler-shop-report.yaml',
        '/spec/scaleTargetRef/kind',
        'an HPA cannot scale a CronJob (CronJob "shop-report" has no scale subresource)',
        'scale a Deployment, StatefulSet or ReplicaSet; a CronJob or Job runs to completion and is not autoscaled',
      ],
      [
        'rendered/prod/shop-api/horizontalpodautoscaler-shop-web.yaml',
        '/spec/scaleTargetRef/name',
        'there is no Deployment "shop-web" in namespace "corpus" of environment prod to scale',
        'name a Deployment rendered in the same namespace, or remove the HPA',
      ],
    ]);
  });

  it('an Ingress backend names a Service of its namespace, and a port of it', () => {
    const objects = passing();
    const ingress = (service: string, port: any) =>
      ({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `to-${service}-${Object.values(port)[0]}`, namespace: 'corpus', labels: of(objects, 'Service').metadata.labels },
        spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port } } }] } }] },
      }) as any;
    expect(findings([...objects, ingress('shop-api', { name: 'http' }), ingress('shop-api', { number: 80 })])).toEqual([]);
    expect(findings([...objects, ingress('shop-web', { name: 'http' }), ingress('shop-api', { name: 'https' }), ingress('shop-api', { number: 443 })])).toEqual([
      'ingress-to-shop-api-443.yaml /spec/rules/0/http/paths/0/backend/service/port/number: Service "shop-api" has no port 443',
      'ingress-to-shop-api-https.yaml /spec/rules/0/http/paths/0/backend/service/port/name: Service "shop-api" has no port named "https"',
      'ingress-to-shop-web-http.yaml /spec/rules/0/http/paths/0/backend/service/name: there is no Service "shop-web" in namespace "corpus" of environment prod',
    ]);
  });

  it("an ALB action (port use-annotation) resolves through the Ingress's actions annotation, not a Service port", () => {
    const objects = passing();
    const ingress = (annotations: Record<string, string>) =>
      ({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'canary', namespace: 'corpus', labels: of(objects, 'Service').metadata.labels, annotations },
        spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-api', port: { name: 'use-annotation' } } } }] } }] },
      }) as any;
    expect(findings([...objects, ingress({ 'alb.ingress.kubernetes.io/actions.shop-api': '{"type":"forward"}' })])).toEqual([]);
    expect(findings([...objects, ingress({ 'alb.ingress.kubernetes.io/actions.shop-web': '{"type":"forward"}' })])).toEqual([
      'ingress-canary.yaml /spec/rules/0/http/paths/0/backend/service/port/name: Service "shop-api" has no port named "use-annotation"',
    ]);
  });

  it("looks at the unit's own objects first: what they resolve reads no other unit (no recheck when a sibling changes)", () => {
    const objects = passing();
    const asked: string[] = [];
    const context = (own: KubeObject[]): PolicyContext => ({ own, siblings: (kind) => (asked.push(kind), objects.filter((o) => o.kind === kind)) });
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'corpus' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-api' }, maxReplicas: 3 } } as any;
    for (const o of [...objects, hpa]) expect(referencesResolve.check(o, context([...objects, hpa]))).toEqual([]);
    expect(asked).toEqual([]);
    // The Deployment in another unit: the Service, the PDB and the HPA read their siblings, and resolve there.
    const others = objects.filter((o) => o.kind !== 'Deployment');
    for (const o of [...others, hpa]) expect(referencesResolve.check(o, context([...others, hpa]))).toEqual([]);
    expect(asked).toContain('Deployment');
  });

  it('matches through an index per sibling list, built once however many objects ask', () => {
    // 300 Services and 300 Deployments in one namespace: each Service finds its Deployment.
    const d = of(passing(), 'Deployment');
    const deployments = Array.from({ length: 300 }, (_, i) => ({ ...d, metadata: { ...d.metadata, name: `app-${i}` }, spec: { ...d.spec, template: { ...d.spec.template, metadata: { labels: { app: `app-${i}` } } } } }));
    // The list is read once (to index it), not once per Service.
    let walks = 0;
    const list = new Proxy(deployments, {
      get(target, key, receiver) {
        if (key === '0') walks++;
        return Reflect.get(target, key, receiver);
      },
    });
    const context: PolicyContext = { siblings: (kind) => (kind === 'Deployment' ? list : []) as KubeObject[] };
    const services = deployments.map((_, i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'corpus' }, spec: { selector: { app: `app-${i}` }, ports: [{ port: 80, targetPort: 'http' }] } }) as any);
    expect(services.flatMap((s) => referencesResolve.check(s, context))).toEqual([]);
    expect(referencesResolve.check({ ...services[0], spec: { selector: { app: 'app-300' } } }, context).map((f) => f.message)).toEqual(['the selector matches no pod template in namespace "corpus"']);
    expect(walks).toBe(1);
  });
});
