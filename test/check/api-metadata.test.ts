/** Names per kind, namespaces, labels, annotations and sizes as the API server validates them (kubernetes-api). */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { validateApiObject } from '../../generators/check/api-server/index.js';
import { ANNOTATIONS_MAX_BYTES, DATA_MAX_BYTES, OBJECT_MAX_BYTES } from '../../generators/check/api-server/metadata.js';
import { API_POLICY } from '../../generators/check/check.js';
import { checkObjects, corpus } from './fixtures.js';

const object = (kind: string, name: string, extra: Record<string, unknown> = {}, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name, namespace: 'corpus' }, ...extra }) as unknown as KubeObject;
const found = (o: KubeObject) => validateApiObject(o).map((f) => `${f.pointer}: ${f.message}`);
const a = (n: number) => 'a'.repeat(n);
const subdomain = (n: number) => Array.from({ length: 4 }, () => a(63)).join('.').slice(0, n);

describe('object names, by kind', () => {
  it.each([
    ['ConfigMap', subdomain(253), 'v1'],
    ['ConfigMap', 'app.config-1', 'v1'],
    ['Service', a(63), 'v1'],
    ['Namespace', a(63), 'v1'],
    ['ClusterRole', 'system:aggregate-to-view', 'rbac.authorization.k8s.io/v1'],
    ['RoleBinding', 'Team Admins', 'rbac.authorization.k8s.io/v1'],
    ['CronJob', a(52), 'batch/v1'],
    ['Job', a(63), 'batch/v1'],
    ['Application', 'orders-api.prod', 'argoproj.io/v1alpha1'],
  ])('%s "%s" is accepted', (kind, name, apiVersion) => {
    expect(found(object(kind, name, {}, apiVersion)).filter((f) => f.startsWith('/metadata/name'))).toEqual([]);
  });

  it.each([
    ['ConfigMap', subdomain(254), 'v1', 'is 254 characters long, more than 253'],
    ['ConfigMap', 'app.-config', 'v1', 'must be a DNS-1123 subdomain'],
    ['Service', a(64), 'v1', 'is 64 characters long, more than 63'],
    ['Service', '1-orders', 'v1', 'must be a DNS-1035 label'],
    ['Service', 'orders.api', 'v1', 'must be a DNS-1035 label'],
    ['Namespace', 'team.orders', 'v1', 'must not contain dots'],
    ['ClusterRole', 'a/b', 'rbac.authorization.k8s.io/v1', "may not contain '/'"],
    ['Role', '..', 'rbac.authorization.k8s.io/v1', "may not be '..'"],
    ['CronJob', a(53), 'batch/v1', 'is 53 characters long, more than 52'],
    ['Job', a(64), 'batch/v1', 'is 64 characters long, more than 63'],
    ['Application', 'Orders', 'argoproj.io/v1alpha1', 'must be a DNS-1123 subdomain'],
  ])('%s "%s" is refused', (kind, name, apiVersion, why) => {
    const f = validateApiObject(object(kind, name, {}, apiVersion)).filter((x) => x.pointer === '/metadata/name');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain(why);
    expect(f[0]!.hint).toContain(kind);
  });

  it('a namespace is a DNS-1123 label', () => {
    const o = object('ConfigMap', 'c');
    o.metadata.namespace = 'Team_Orders';
    expect(found(o)).toEqual(['/metadata/namespace: namespace "Team_Orders" must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit']);
  });
});

describe('labels', () => {
  it('keys and values at their limits, on the object and on its pod template', () => {
    const d = corpus('passing.yaml').find((o) => o.kind === 'Deployment')!;
    d.metadata.labels = { ...d.metadata.labels, [`example.com/${a(63)}`]: a(63), tier: '' };
    expect(found(d)).toEqual([]);
    d.metadata.labels = { ok: 'x', [`example.com/${a(64)}`]: 'x', tier: a(64) };
    (d.spec as any).template.metadata.labels.version = '1.0+build';
    expect(found(d)).toEqual([
      `/metadata/labels/example.com~1${a(64)}: label key "example.com/${a(64)}" name part is 64 characters long, more than 63`,
      '/metadata/labels/tier: label "tier" has value "' + a(64) + '", which is 64 characters long, more than 63',
      // The template's labels no longer match the selector? They still do: only a label was added.
      '/spec/template/metadata/labels/version: label "version" has value "1.0+build", which must be empty or letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
    ]);
  });

  it('selectors: keys, values and operators', () => {
    const pdb = object('PodDisruptionBudget', 'p', {
      spec: {
        maxUnavailable: 1,
        selector: {
          matchLabels: { 'bad key!': 'x' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: [] },
            { key: 'tier', operator: 'Exists', values: ['x'] },
            { key: 'tier', operator: 'Gt', values: ['1'] },
            { key: 'tier', operator: 'NotIn', values: ['front end'] },
          ],
        },
      },
    }, 'policy/v1');
    expect(found(pdb).map((f) => f.slice(0, f.indexOf(':')))).toEqual([
      '/spec/selector/matchLabels/bad key!',
      '/spec/selector/matchExpressions/0/values',
      '/spec/selector/matchExpressions/1/values',
      '/spec/selector/matchExpressions/2/operator',
      '/spec/selector/matchExpressions/3/values/0',
    ]);
  });
});

describe('annotations', () => {
  it('keys are qualified names, whatever their case', () => {
    const o = object('ConfigMap', 'c', { metadata: { name: 'c', annotations: { 'Example.com/Checksum': 'x', 'a b': 'x', '/x': 'y' } } });
    expect(found(o)).toEqual([
      '/metadata/annotations/a b: annotation key "a b" name part must be letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      '/metadata/annotations/~1x: annotation key "/x" has an empty prefix before \'/\'',
    ]);
  });

  it('256 KiB of keys and values in all: one byte more is refused (bytes, not characters)', () => {
    const withValue = (value: string) => object('ConfigMap', 'c', { metadata: { name: 'c', annotations: { note: value } } });
    expect(found(withValue(a(ANNOTATIONS_MAX_BYTES - 4)))).toEqual([]);
    expect(found(withValue(a(ANNOTATIONS_MAX_BYTES - 3)))).toEqual([`/metadata/annotations: annotations take 262145 bytes (keys and values), more than the API server's limit of 262144 (256 KiB)`]);
    // "é" is two bytes in UTF-8.
    expect(found(withValue('é'.repeat((ANNOTATIONS_MAX_BYTES - 4) / 2)))).toEqual([]);
    expect(found(withValue('é'.repeat((ANNOTATIONS_MAX_BYTES - 4) / 2) + 'a'))).toHaveLength(1);
  });
});

describe('sizes', () => {
  it('a ConfigMap holds at most 1 MiB of data (values; binaryData decoded)', () => {
    const cm = (data: Record<string, string>, binaryData?: Record<string, string>) => object('ConfigMap', 'c', { data, ...(binaryData && { binaryData }) });
    expect(found(cm({ big: a(DATA_MAX_BYTES) }))).toEqual([]);
    expect(found(cm({ big: a(DATA_MAX_BYTES - 3) }, { bin: 'AAAA' }))).toEqual([]);
    expect(found(cm({ big: a(DATA_MAX_BYTES - 2) }, { bin: 'AAAA' }))).toEqual(['/data: ConfigMap "c" holds 1048577 bytes of data, more than the API server\'s limit of 1048576 (1 MiB)']);
    // A 2 MB ConfigMap: the data finding, not a second one for the object.
    const two = validateApiObject(cm({ big: a(2_000_000) }));
    expect(two.map((f) => f.pointer)).toEqual(['/data']);
    expect(two[0]!.specPointer).toBe('/spec/config');
  });

  it('data keys, and a key in both data and binaryData', () => {
    const o = object('ConfigMap', 'c', { data: { 'app.conf': 'x', 'a/b': 'x', '..x': 'x', dup: 'x' }, binaryData: { dup: 'AA==' } });
    expect(found(o).map((f) => f.slice(0, f.indexOf(':')))).toEqual(['/data/a~1b', '/data/..x', '/binaryData/dup']);
  });

  it('any object is at most 1,048,576 bytes of JSON', () => {
    const widget = (n: number) => object('Widget', 'w', { spec: { blob: a(n) } }, 'example.com/v1');
    const base = JSON.stringify(widget(0)).length;
    expect(found(widget(OBJECT_MAX_BYTES - base))).toEqual([]);
    expect(found(widget(OBJECT_MAX_BYTES - base + 1))).toEqual([`: Widget "w" is 1048577 bytes as JSON, more than 1048576 (1 MiB)`]);
  });
});

describe('through the check', () => {
  it('a kubernetes-api finding is mandatory and names the rendered file, the place and a hint', () => {
    const report = checkObjects(corpus(`${API_POLICY}.yaml`));
    expect(report.violations).toEqual([
      expect.objectContaining({
        policy: API_POLICY,
        level: 'mandatory',
        file: 'rendered/prod/shop-api/configmap-shop-api-config.yaml',
        pointer: '/metadata/labels/tier',
        message: expect.stringContaining('label "tier" has value "front end"'),
        hint: expect.stringContaining('label values are at most 63'),
      }),
    ]);
  });

  it('says nothing more where the schema already found something', () => {
    const objects = corpus('passing.yaml');
    (objects[0]!.spec as any).template.spec.containers[0].resources.requests.cpu = '1.2.3';
    expect(checkObjects(objects).violations.map((v) => `${v.policy} ${v.pointer}`)).toEqual(['kubernetes-schema /spec/template/spec/containers/0/resources/requests/cpu']);
  });
});
