/** Behaviour of single policies beyond the corpus: the edges of each rule, and the policy table against the schemas. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { mutableReason } from '../../generators/check/policies/image-immutable.js';
import { POLICIES, POLICY_IDS } from '../../generators/check/policies/index.js';
import { noCredentials } from '../../generators/check/policies/no-credentials.js';
import { noPlaintextSecret } from '../../generators/check/policies/no-plaintext-secret.js';
import { standardLabels } from '../../generators/check/policies/standard-labels.js';
import { repoRoot } from '../helpers.js';
import { checkObjects, corpus } from './fixtures.js';

/** A context outside any environment or app. */
const none = { siblings: () => [] };
const find = (kind: string, file = 'passing.yaml') => structuredClone(corpus(file).find((o) => o.kind === kind)!) as KubeObject & { spec: any };

describe('the policy table', () => {
  it('every policy has a unique id, a description and a default level', () => {
    expect(new Set(POLICY_IDS).size).toBe(POLICIES.length);
    for (const p of POLICIES) {
      expect(p.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(p.description.length).toBeGreaterThan(30);
      expect(['mandatory', 'advisory']).toContain(p.level);
    }
  });

  it('the schemas list exactly these ids (exemptions and environment spec.policies)', () => {
    const schema = (f: string) => JSON.parse(readFileSync(join(repoRoot, 'schemas', f), 'utf8'));
    expect(schema('exemptions.schema.json').definitions.PolicyId.enum).toEqual(POLICY_IDS);
    expect(Object.keys(schema('environment.schema.json').definitions.EnvironmentSpec.properties.policies.properties)).toEqual(POLICY_IDS);
  });
});

describe('image-immutable', () => {
  it.each([
    ['nginx', 'it has no tag, so it means :latest'],
    ['registry.example.com:5000/team/app', 'it has no tag, so it means :latest'],
    ['nginx:latest', 'its tag "latest" moves'],
    ['nginx:Stable', 'its tag "Stable" moves'],
    ['ghcr.io/org/app:main', 'its tag "main" moves'],
    ['nginx:alpine', 'its tag "alpine" is neither a version, a commit SHA nor a digest'],
    ['nginx@sha1:abc', 'its digest "sha1:abc" is not a sha256 digest'],
  ])('%s is mutable: %s', (image, reason) => {
    expect(mutableReason(image)).toBe(reason);
  });

  it.each([
    'nginx:1.27.0',
    'registry.example.com:5000/team/app:v0.15.1',
    'app:3.15.0-rc.2',
    'app:1.25-alpine',
    'app:2024.06.01',
    'app:4f6c1e3',
    'app:sha-4f6c1e3a9b2d8e7f0a1b2c3d4e5f607182930000',
    'app@sha256:4f6c1e3a9b2d8e7f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80',
    'app:latest@sha256:4f6c1e3a9b2d8e7f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f80',
  ])('%s is pinned', (image) => {
    expect(mutableReason(image)).toBeUndefined();
  });
});

describe('pdb-in-production', () => {
  const deployment = () => {
    const d = find('Deployment');
    d.spec.replicas = 1;
    return d;
  };
  const hpa = (max: number) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'shop-api', namespace: 'corpus', labels: find('Deployment').metadata.labels },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-api' }, minReplicas: 1, maxReplicas: max },
  });
  const policies = (objects: object[]) => checkObjects(objects as KubeObject[]).violations.map((v) => v.policy);

  it('counts the replicas an HPA may scale to', () => {
    expect(policies([deployment()])).toEqual([]);
    expect(policies([deployment(), hpa(1)])).toEqual([]);
    expect(policies([deployment(), hpa(4)])).toEqual(['pdb-in-production']);
  });

  it('a PDB covers the workload only if its selector picks the pods, in the same namespace', () => {
    const pdb = find('PodDisruptionBudget');
    const d = find('Deployment');
    expect(policies([d, pdb])).toEqual([]);
    // A PDB that selects nothing is also a dangling reference.
    expect(policies([d, { ...pdb, metadata: { ...pdb.metadata, namespace: 'other' } }])).toEqual(['pdb-in-production', 'references-resolve']);
    expect(policies([d, { ...pdb, spec: { ...pdb.spec, selector: { matchLabels: { 'app.kubernetes.io/name': 'someone-else' } } } }])).toEqual(['pdb-in-production', 'references-resolve']);
    const byExpression = { ...pdb, spec: { ...pdb.spec, selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['shop-api', 'x'] }] } } };
    expect(policies([d, byExpression])).toEqual([]);
  });
});

describe('an Argo Rollouts Rollout is checked as a Deployment', () => {
  /** The corpus Deployment as a Rollout: same pod template, a canary strategy. */
  const rollout = (edit: (d: KubeObject & { spec: any }) => void = () => undefined) => {
    const d = find('Deployment');
    edit(d);
    const { strategy: _strategy, ...spec } = d.spec;
    return { ...d, apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', spec: { ...spec, strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } } };
  };
  const findings = (objects: object[]) => checkObjects(objects as KubeObject[]).violations.map((v) => [v.policy, v.pointer]);

  it('its pod template: the pod policies, at the same pointers as a Deployment\'s', () => {
    expect(findings([rollout(), find('PodDisruptionBudget')])).toEqual([]);
    const bad = rollout((d) => {
      const c = d.spec.template.spec.containers[0];
      c.securityContext.privileged = true;
      c.securityContext.readOnlyRootFilesystem = false;
      c.image = 'shop/api:latest';
      delete c.resources;
      delete c.readinessProbe;
      delete c.livenessProbe;
    });
    expect(findings([bad, find('PodDisruptionBudget')]).sort()).toEqual(
      [
        ['image-immutable', '/spec/template/spec/containers/0/image'],
        ['container-resources', '/spec/template/spec/containers/0'],
        ['no-privileged', '/spec/template/spec/containers/0/securityContext/privileged'],
        ['read-only-root-filesystem', '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem'],
        ['probes', '/spec/template/spec/containers/0'],
      ].sort(),
    );
  });

  it('its replicas, or its HPA\'s, need a PodDisruptionBudget in production', () => {
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'shop-api', namespace: 'corpus', labels: find('Deployment').metadata.labels }, spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'shop-api' }, minReplicas: 1, maxReplicas: 4 } };
    const one = rollout((d) => (d.spec.replicas = 1));
    expect(findings([one]).map(([p]) => p)).toEqual([]);
    expect(findings([one, hpa]).map(([p]) => p)).toEqual(['pdb-in-production']);
    expect(findings([one, hpa, find('PodDisruptionBudget')])).toEqual([]);
  });
});

describe('no-credentials', () => {
  const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }) as unknown as KubeObject;
  const check = (o: KubeObject) => noCredentials.check(o, none).map((f) => [f.pointer, f.message]);

  it('finds credential-looking values and credential-named keys, anywhere', () => {
    expect(check(configMap({ DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info', KEY: '-----BEGIN RSA PRIVATE KEY-----\nabc' }))).toEqual([
      ['/data/DB_PASSWORD', 'a credential in a manifest: the key name "DB_PASSWORD" says it holds a credential'],
      ['/data/KEY', 'a credential in a manifest: the value looks like a private key'],
    ]);
  });

  it('reads an env var by its name: {name: API_TOKEN, value: ...}', () => {
    const d = find('Deployment');
    d.spec.template.spec.containers[0].env.push({ name: 'API_TOKEN', value: 'abc123' });
    expect(check(d)).toEqual([['/spec/template/spec/containers/0/env/2/value', 'a credential in a manifest: the key name "API_TOKEN" says it holds a credential']]);
  });

  it('references to secrets are not secrets: secretKeyRef, ExternalSecret remote keys, ARNs, empty values', () => {
    expect(check(find('Deployment'))).toEqual([]);
    expect(check(find('ExternalSecret'))).toEqual([]);
    expect(check(configMap({ SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x', DB_PASSWORD: '' }))).toEqual([]);
  });

  it('decodes Secret data', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { creds: Buffer.from('aws_access_key_id = AKIAIOSFODNN7EXAMPLE').toString('base64') } } as unknown as KubeObject;
    expect(check(secret)).toEqual([['/data/creds', 'a credential in a manifest: the value looks like an AWS access key id (base64-decoded)']]);
  });
});

describe('no-plaintext-secret', () => {
  it('leaves Argo CD cluster Secrets to no-credentials', () => {
    const secret = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels }, stringData: { name: 'dev' } }) as unknown as KubeObject;
    expect(noPlaintextSecret.check(secret({ 'argocd.argoproj.io/secret-type': 'cluster' }), none)).toEqual([]);
    expect(noPlaintextSecret.check(secret({ 'argocd.argoproj.io/secret-type': 'repository' }), none)).toHaveLength(1);
  });
});

describe('standard-labels', () => {
  it('objects outside apps need only app.kubernetes.io/managed-by', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: { 'app.kubernetes.io/managed-by': 'gitops-bridge' } } } as KubeObject;
    expect(standardLabels.check(ns, none)).toEqual([]);
    expect(standardLabels.check({ ...ns, metadata: { name: 'n' } }, none)).toEqual([
      expect.objectContaining({ pointer: '/metadata', message: 'missing label app.kubernetes.io/managed-by' }),
    ]);
  });

  it('pod templates carry them too', () => {
    const d = find('Deployment');
    delete d.spec.template.metadata.labels['app.kubernetes.io/version'];
    expect(checkObjects([d, find('PodDisruptionBudget')]).violations.map((v) => [v.policy, v.pointer])).toEqual([['standard-labels', '/spec/template/metadata/labels']]);
  });
});
