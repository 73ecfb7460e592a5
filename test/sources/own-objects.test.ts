/** Adoption of brought objects (sources/own-objects.ts): what the project adds, and what it never changes. */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { adoptObjects } from '../../generators/sources/own-objects.js';

const app = { name: 'ctl', environment: 'prod', namespace: 'ctl-system' };
const adopt = (...objects: KubeObject[]) => adoptObjects(objects.map((object) => ({ object, source: 'x.yaml' })), app).map((r) => r.object);

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ctl', labels: { 'app.kubernetes.io/name': 'upstream-name', 'app.kubernetes.io/part-of': 'platform' } },
  spec: {
    selector: { matchLabels: { app: 'ctl' } },
    template: { metadata: { labels: { app: 'ctl' } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/ctl:v1.2.3' }] } },
  },
};

describe('adoptObjects', () => {
  it('fills in the missing standard labels, keeps those present, and never touches selectors', () => {
    const [d] = adopt(structuredClone(deployment));
    expect(d!.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'upstream-name',
      'app.kubernetes.io/part-of': 'platform',
      'app.kubernetes.io/instance': 'ctl-prod',
      'app.kubernetes.io/managed-by': 'gitops-bridge',
      'app.kubernetes.io/version': 'v1.2.3',
      environment: 'prod',
    });
    const spec = d!.spec as { selector: unknown; template: { metadata: { labels: Record<string, string> } } };
    expect(spec.selector).toEqual({ matchLabels: { app: 'ctl' } });
    // The pod template gets the object's own standard labels where it lacks them.
    expect(spec.template.metadata.labels).toMatchObject({ app: 'ctl', 'app.kubernetes.io/name': 'upstream-name', 'app.kubernetes.io/part-of': 'platform', 'app.kubernetes.io/version': 'v1.2.3' });
  });

  it('does not change its input', () => {
    const input = structuredClone(deployment);
    adopt(input);
    expect(input).toEqual(deployment);
  });

  it('defaults the namespace of namespaced objects, drops it from cluster-scoped ones (built in, or of a cluster-scoped CRD beside them)', () => {
    const crd = (kind: string, scope: string): KubeObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${kind.toLowerCase()}s.example.com` }, spec: { group: 'example.com', scope, names: { kind } } });
    const objects = adopt(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'elsewhere' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c', namespace: 'stray' } },
      crd('Widget', 'Cluster'),
      crd('Gadget', 'Namespaced'),
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } },
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}:${o.metadata.namespace ?? '-'}`)).toEqual([
      'ConfigMap/a:ctl-system',
      'ConfigMap/b:elsewhere',
      'ClusterRole/c:-',
      'CustomResourceDefinition/widgets.example.com:-',
      'CustomResourceDefinition/gadgets.example.com:-',
      'Widget/w:-',
      'Gadget/g:ctl-system',
    ]);
  });

  it('takes the version from a digest when the image has one', () => {
    const d = structuredClone(deployment);
    (d.spec as any).template.spec.containers[0].image = `registry.example.com/ctl@sha256:${'ab'.repeat(32)}`;
    expect(adopt(d)[0]!.metadata.labels!['app.kubernetes.io/version']).toBe(`sha256-${'ab'.repeat(8)}`);
  });
});
