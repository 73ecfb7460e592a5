/**
 * The policy corpus, rule by rule: test/check/corpus/<rule>.yaml breaks exactly that rule (and
 * nothing else), passing.yaml breaks none. Checked as an app's objects in the example's prod.
 */
import { describe, expect, it } from 'vitest';
import { API_POLICY, SCHEMA_POLICY } from '../../generators/check/check.js';
import { POLICIES, POLICY_IDS } from '../../generators/check/policies/index.js';
import { checkObjects, corpus, corpusFiles } from './fixtures.js';

const rules = [...POLICY_IDS, SCHEMA_POLICY, API_POLICY];

describe('policy corpus', () => {
  it('has one failing manifest per rule, and a passing one', () => {
    expect(corpusFiles).toEqual([...rules.map((r) => `${r}.yaml`), 'passing.yaml'].sort());
  });

  it('passing.yaml passes every rule', () => {
    const report = checkObjects(corpus('passing.yaml'));
    expect(report.violations).toEqual([]);
    expect(report.objects).toBe(6);
  });

  for (const rule of rules) {
    it(`${rule}.yaml fails ${rule}, and only ${rule}`, () => {
      const report = checkObjects(corpus(`${rule}.yaml`));
      expect(report.violations.length).toBeGreaterThan(0);
      expect(new Set(report.violations.map((v) => v.policy))).toEqual(new Set([rule]));
      const level = POLICIES.find((p) => p.id === rule)?.level ?? 'mandatory';
      for (const v of report.violations) {
        expect(v.level).toBe(level);
        expect(v).toMatchObject({ environment: 'prod', app: 'shop-api', source: 'manifests/apps/shop-api/app.yaml' });
        expect(v.file).toMatch(/^rendered\/prod\/shop-api\/[a-z]+-[a-z0-9-]+\.yaml$/);
        expect(v.pointer).toMatch(/^(\/[^/]+)*$/);
        expect(v.message.length).toBeGreaterThan(10);
      }
    });
  }

  it('points at the offending field', () => {
    const at = (rule: string) => checkObjects(corpus(`${rule}.yaml`)).violations.map((v) => v.pointer);
    expect(at('image-immutable')).toEqual(['/spec/template/spec/containers/0/image']);
    expect(at('container-resources')).toEqual(['/spec/template/spec/containers/0/resources']);
    expect(at('standard-labels')).toEqual(['/metadata/labels']);
    expect(at('no-privileged').sort()).toEqual([
      '/spec/template/spec/containers/0/securityContext/privileged',
      '/spec/template/spec/hostNetwork',
      '/spec/template/spec/volumes/1/hostPath',
    ]);
    expect(at('run-as-non-root')).toEqual(['/spec/template/spec/containers/0/securityContext/runAsNonRoot']);
    expect(at('read-only-root-filesystem')).toEqual(['/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem']);
    expect(at('no-plaintext-secret')).toEqual(['']);
    expect(at('no-credentials')).toEqual(['/data/AWS_ACCESS_KEY_ID']);
    expect(at('pdb-in-production')).toEqual(['/spec/replicas']);
    expect(at('probes')).toEqual(['/spec/template/spec/containers/0']);
    expect(at('no-load-balancer')).toEqual(['/spec/type']);
    expect(at('references-resolve')).toEqual(['/spec/scaleTargetRef/kind']);
    expect(at(API_POLICY)).toEqual(['/metadata/labels/tier']);
    expect(at(SCHEMA_POLICY)).toEqual(['/spec/replica']);
    const schema = checkObjects(corpus(`${SCHEMA_POLICY}.yaml`)).violations[0]!;
    expect(schema.message).toContain('unknown field "replica"');
    expect(schema.hint).toBe('did you mean "replicas"?');
  });
});

describe('levels per environment', () => {
  it('an environment can make an advisory policy mandatory, or turn a policy off', () => {
    expect(checkObjects(corpus('probes.yaml'), { spec: { policies: { probes: 'mandatory' } } }).violations.map((v) => v.level)).toEqual(['mandatory']);
    expect(checkObjects(corpus('image-immutable.yaml'), { spec: { policies: { 'image-immutable': 'advisory' } } }).violations.map((v) => v.level)).toEqual(['advisory']);
    expect(checkObjects(corpus('no-credentials.yaml'), { spec: { policies: { 'no-credentials': 'off' } } }).violations).toEqual([]);
  });

  it('the Kubernetes schema and the API server\'s rules cannot be turned off', () => {
    const off = Object.fromEntries(POLICY_IDS.map((id) => [id, 'off']));
    expect(checkObjects(corpus(`${SCHEMA_POLICY}.yaml`), { spec: { policies: off } }).violations.map((v) => v.policy)).toEqual([SCHEMA_POLICY]);
    expect(checkObjects(corpus(`${API_POLICY}.yaml`), { spec: { policies: off } }).violations.map((v) => v.policy)).toEqual([API_POLICY]);
  });

  it('pdb-in-production only applies to production-tier environments', () => {
    expect(checkObjects(corpus('pdb-in-production.yaml'), { env: 'staging' }).violations).toEqual([]);
    expect(checkObjects(corpus('pdb-in-production.yaml'), { spec: { tier: 'staging' } }).violations).toEqual([]);
  });

  it('no-load-balancer lets an environment that allows LoadBalancer Services have them', () => {
    expect(checkObjects(corpus('no-load-balancer.yaml'), { spec: { allowLoadBalancerServices: true } }).violations).toEqual([]);
  });
});

describe('exemptions', () => {
  const exemption = { policy: 'probes', reason: 'a queue consumer with no port to probe', file: 'manifests/apps/shop-api/exemptions.yaml', pointer: '/exemptions/0', line: 6 };

  it('an exemption lifts the violations it names and lists them', () => {
    const report = checkObjects(corpus('probes.yaml'), { exemptions: [exemption] });
    expect(report.violations).toEqual([]);
    expect(report.exemptionsApplied).toHaveLength(1);
    expect(report.exemptionsApplied[0]).toMatchObject({ policy: 'probes', environment: 'prod', app: 'shop-api', reason: exemption.reason, file: exemption.file, line: 6 });
    expect(report.exemptionsApplied[0]!.violations.map((v) => v.pointer)).toEqual(['/spec/template/spec/containers/0']);
  });

  it('only for the resources it names, and only its policy', () => {
    const other = checkObjects(corpus('probes.yaml'), { exemptions: [{ ...exemption, resources: ['Deployment/other'] }] });
    expect(other.violations.map((v) => v.policy)).toEqual(['probes']);
    expect(other.exemptionsApplied[0]!.violations).toEqual([]);
    const named = checkObjects(corpus('probes.yaml'), { exemptions: [{ ...exemption, resources: ['Deployment/shop-api'] }] });
    expect(named.violations).toEqual([]);
    const wrongPolicy = checkObjects(corpus('image-immutable.yaml'), { exemptions: [exemption] });
    expect(wrongPolicy.violations.map((v) => v.policy)).toEqual(['image-immutable']);
  });

  it('schema errors and what the API server refuses cannot be exempted; a dangling reference can', () => {
    for (const rule of [SCHEMA_POLICY, API_POLICY]) {
      const report = checkObjects(corpus(`${rule}.yaml`), { exemptions: [{ ...exemption, policy: rule }] });
      expect(report.violations.map((v) => v.policy)).toEqual([rule]);
    }
    const lifted = checkObjects(corpus('references-resolve.yaml'), { exemptions: [{ ...exemption, policy: 'references-resolve', reason: 'the operator scales it' }] });
    expect(lifted.violations).toEqual([]);
  });
});
