/**
 * The Argo CD hub built by the Pulumi program (infra/components/argocd-hub.ts), offline under
 * mocks: prod as the hub (one of the environment clusters, production tier) with
 * `clusterRegistration: pulumi` in manifests/argocd.yaml. The Helm release is pinned, the
 * bootstrap Application and the cluster Secrets are the render's own objects (one function
 * builds both), the render then leaves the Secrets out, and the policy pack's Helm and Argo CD
 * rules hold on the program and fire on a release built to break them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argocdObjects } from '../../generators/argocd/index.js';
import { readFleet } from '../../generators/workspace/fleet.js';
import { ARGOCD_HELM_REPO, HUB_SERVICE_ACCOUNTS, IRSA_ANNOTATION } from '../../infra/components/argocd-hub.js';
import { EXACT_CHART_VERSION, evaluate, rules, type PolicyResource } from '../../infra/policy/rules.js';
import { ARGOCD_CHART_VERSION, EXACT_VERSION } from '../../infra/settings.js';
import { repoRoot, tempProject } from '../helpers.js';
import { PROJECT, policyJson, runStack, snapshot, type RecordedResource, type StackRun } from './harness.js';

const ENVIRONMENTS = ['dev', 'prod', 'staging'];
const HUB_ROLE = 'arn:aws:iam::123456789012:role/platform/argocd-hub';
const RELEASE = 'kubernetes:helm.sh/v3:Release';
const APPLICATION = 'kubernetes:argoproj.io/v1alpha1:Application';
const SECRET = 'kubernetes:core/v1:Secret';

const renderedFile = (name: string) => yaml.load(readFileSync(join(repoRoot, 'rendered/argocd', name), 'utf8')) as Record<string, any>;

describe('the Argo CD hub on the prod cluster, registering the clusters itself', () => {
  const project = tempProject();
  let run: StackRun;
  let release: RecordedResource;

  beforeAll(async () => {
    const argocdYaml = join(project.root, 'manifests/argocd.yaml');
    const text = readFileSync(argocdYaml, 'utf8');
    const switched = /^ {2}clusterRegistration: .*$/m.test(text)
      ? text.replace(/^ {2}clusterRegistration: .*$/m, '  clusterRegistration: pulumi')
      : text.replace(/^spec:\n/m, 'spec:\n  clusterRegistration: pulumi\n');
    expect(switched).toContain('clusterRegistration: pulumi');
    writeFileSync(argocdYaml, switched);
    run = await runStack({
      env: 'prod',
      root: project.root,
      config: { [`${PROJECT}:hub`]: 'true', [`${PROJECT}:argocdHubPrincipalArn`]: HUB_ROLE },
    });
    release = run.one(RELEASE);
  }, 60_000);
  afterAll(() => project.cleanup());

  describe('Argo CD from its Helm chart', () => {
    it('is installed at the pinned chart version from argo-helm, into the argocd namespace', () => {
      expect(release.inputs).toMatchObject({
        chart: 'argo-cd',
        version: ARGOCD_CHART_VERSION,
        repositoryOpts: { repo: ARGOCD_HELM_REPO },
        namespace: 'argocd',
        createNamespace: true,
      });
      expect(ARGOCD_CHART_VERSION).toMatch(EXACT_CHART_VERSION);
      expect(EXACT_VERSION.source).toBe(EXACT_CHART_VERSION.source);
    });

    it('runs HA in production, honours the ApplicationSets\' policy and keeps the server on ClusterIP', () => {
      const values = release.inputs.values as Record<string, any>;
      expect(values['redis-ha']).toEqual({ enabled: true });
      expect(values.server.replicas).toBe(2);
      expect(values.repoServer.replicas).toBe(2);
      expect(values.applicationSet.replicas).toBe(2);
      expect(values.configs.params['applicationsetcontroller.enable.policy.override']).toBe(true);
      expect(values.server.service.type).toBe('ClusterIP');
    });

    it('goes through a provider whose kubeconfig is the hub cluster\'s endpoint, CA and name', () => {
      const provider = run.one('pulumi:providers:kubernetes');
      const kubeconfig = JSON.parse(String(provider.inputs.kubeconfig)) as Record<string, any>;
      expect(kubeconfig.clusters[0].cluster).toEqual({ server: run.outputs.cluster_endpoint, 'certificate-authority-data': run.outputs.cluster_certificate_authority_data });
      expect(kubeconfig.users[0].user.exec.args).toEqual(['eks', 'get-token', '--cluster-name', 'shop-prod', '--region', 'eu-west-1', '--output', 'json']);
      const kubernetes = run.resources.filter((x) => x.type.startsWith('kubernetes:'));
      expect(kubernetes.length).toBe(1 + 1 + ENVIRONMENTS.length);
      for (const r of kubernetes) expect(r.provider, r.name).toMatch(new RegExp(`\\$pulumi:providers:kubernetes::hub::${String(provider.props.id)}$`));
    });
  });

  describe('the hub role (IRSA)', () => {
    it('is argocdHubPrincipalArn, assumable by exactly the controller\'s and the server\'s ServiceAccounts', () => {
      const role = run.one('aws:iam/role:Role', 'hub-role');
      expect(role.inputs).toMatchObject({ name: 'argocd-hub', path: '/platform/' });
      const provider = String(run.outputs.oidc_provider);
      const subjects = policyJson(role.inputs.assumeRolePolicy).Statement.map((s) => (s.Condition as any).StringEquals[`${provider}:sub`]);
      expect(subjects).toEqual(Object.values(HUB_SERVICE_ACCOUNTS).map((sa) => `system:serviceaccount:argocd:${sa}`));
      const values = release.inputs.values as Record<string, any>;
      for (const component of ['controller', 'server'] as const) {
        expect(values[component].serviceAccount).toEqual({ create: true, name: HUB_SERVICE_ACCOUNTS[component], annotations: { [IRSA_ANNOTATION]: role.props.arn } });
      }
    });

    it('may assume only the environments\' argocd-hub roles, this one\'s included', () => {
      const statement = policyJson(run.one('aws:iam/rolePolicy:RolePolicy', 'hub-role').inputs.policy).Statement[0]!;
      expect(statement.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      const own = run.one('aws:iam/role:Role', 'argocd-hub');
      expect(own.props.arn).toBe(run.outputs.argocd_hub_role_arn);
      expect(statement.Resource).toEqual(
        ENVIRONMENTS.map((e) => (e === 'prod' ? String(run.outputs.argocd_hub_role_arn) : String(snapshot(e).argocd_hub_role_arn))).sort(),
      );
      expect(JSON.parse(String(own.inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({ AWS: HUB_ROLE });
    });
  });

  it('creates the bootstrap Application the render writes', () => {
    const app = run.one(APPLICATION);
    const { id: _id, urn: _urn, ...inputs } = app.inputs;
    expect(inputs).toEqual(renderedFile('application-gitops-bridge.yaml'));
  });

  it('registers one cluster Secret per environment, with the rendered Secret\'s labels, annotations and data', () => {
    const secrets = run.ofType(SECRET);
    expect(secrets.map((s) => (s.inputs.metadata as { name: string }).name).sort()).toEqual(ENVIRONMENTS.map((e) => `cluster-${e}`));
    for (const env of ENVIRONMENTS) {
      const rendered = renderedFile(`secret-cluster-${env}.yaml`);
      const made = secrets.find((s) => (s.inputs.metadata as { name: string }).name === `cluster-${env}`)!;
      const metadata = made.inputs.metadata as Record<string, unknown>;
      expect(metadata.labels, env).toEqual(rendered.metadata.labels);
      expect(metadata.annotations, env).toEqual(rendered.metadata.annotations);
      expect(metadata.namespace).toBe('argocd');
      expect(made.inputs.stringData, env).toEqual(rendered.stringData);
    }
  });

  it('and the render leaves the cluster Secrets out (never both)', () => {
    const objects = argocdObjects(readFleet(project.root), []);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ApplicationSet')).toHaveLength(ENVIRONMENTS.length);
    expect(argocdObjects(readFleet(repoRoot), []).filter((o) => o.kind === 'Secret')).toHaveLength(ENVIRONMENTS.length);
  });

  describe('policy pack', () => {
    const violations = (name: string, resources: PolicyResource[]) => evaluate(resources, rules.filter((r) => r.name === name)).map((v) => v.message);
    const brokenRelease = (edit: (props: Record<string, any>) => void): PolicyResource => {
      const props = structuredClone(release.props) as Record<string, any>;
      edit(props);
      return { ...release, props };
    };

    it('every rule passes on the hub stack', () => {
      expect(evaluate(run.resources)).toEqual([]);
    });

    it.each([
      ['no version', (p: Record<string, any>) => delete p.version, /must pin its chart version/],
      ['a range', (p: Record<string, any>) => (p.version = '^7.7.0'), /exact chart version, not "\^7\.7\.0"/],
      ['a wildcard', (p: Record<string, any>) => (p.version = '7.x'), /exact chart version/],
      ['latest', (p: Record<string, any>) => (p.version = 'latest'), /exact chart version/],
    ])('helm-chart-version-pinned fails on a release with %s', (_what, edit, message) => {
      const found = violations('helm-chart-version-pinned', [brokenRelease(edit)]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(message);
    });

    it('argocd-server-not-public fails on a LoadBalancer server, in the values or as a Service', () => {
      expect(violations('argocd-server-not-public', [brokenRelease((p) => (p.values.server.service.type = 'LoadBalancer'))])[0]).toMatch(/LoadBalancer Service \(values server\.service\.type\)/);
      const service = (type: string, name = 'argocd-server'): PolicyResource => ({
        type: 'kubernetes:core/v1:Service',
        name,
        urn: `urn:pulumi:prod::${PROJECT}::kubernetes:core/v1:Service::${name}`,
        props: { metadata: { name, namespace: 'argocd' }, spec: { type } },
      });
      expect(violations('argocd-server-not-public', [service('LoadBalancer')])).toHaveLength(1);
      expect(violations('argocd-server-not-public', [service('ClusterIP'), service('LoadBalancer', 'storefront')])).toEqual([]);
    });
  });
});
