/**
 * The EKS capability as the hub, under mocks: a temp copy of the project whose
 * manifests/argocd.yaml says `hubType: eks-capability`, and the dev stack with
 * argocdHubPrincipalArn naming the capability's IAM role. The program admits that role itself
 * through an access entry with the cluster-admin policy, creates no role to assume and exports
 * no argocd_hub_role_arn, and the render builds the capability's cluster Secret from that
 * snapshot. A stack that would also install Argo CD itself (`hub: true`) is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argocdObjects } from '../../generators/argocd/index.js';
import { readFleet } from '../../generators/workspace/fleet.js';
import { evaluate } from '../../infra/policy/rules.js';
import { tempProject } from '../helpers.js';
import { PROJECT, runStack, snapshot, stackConfig, TEST_DB_PASSWORD, type StackRun } from './harness.js';

const ACCOUNT = '210987654321';
const CAPABILITY_ROLE = 'arn:aws:iam::444455556666:role/ArgoCDCapabilityRole';
const HUB_TYPE_LINE = /^ {2}hubType: self-managed$/m;

describe('the EKS capability as the hub (hubType: eks-capability)', () => {
  const project = tempProject();
  const argocdYaml = join(project.root, 'manifests/argocd.yaml');
  let hubTypeLine = 0;
  let run: StackRun;

  beforeAll(async () => {
    const text = readFileSync(argocdYaml, 'utf8');
    expect(text).toMatch(HUB_TYPE_LINE);
    hubTypeLine = text.slice(0, text.search(HUB_TYPE_LINE)).split('\n').length;
    writeFileSync(argocdYaml, text.replace(HUB_TYPE_LINE, '  hubType: eks-capability'));
  });
  afterAll(() => project.cleanup());

  it('refuses a stack that also installs Argo CD (hub: true), saying which setting to change', async () => {
    const failed = runStack({ env: 'dev', root: project.root, config: { [`${PROJECT}:hub`]: 'true', [`${PROJECT}:argocdHubPrincipalArn`]: CAPABILITY_ROLE } });
    await expect(failed).rejects.toThrow(`manifests/argocd.yaml:${hubTypeLine} says the hub is the AWS-managed Argo CD (hubType: eks-capability)`);
    await expect(failed).rejects.toThrow(/`pulumi config rm hub` in infra\/.*or to install Argo CD on this cluster set hubType: self-managed in manifests\/argocd\.yaml/);
  });

  it('names the capability role when the stack lacks argocdHubPrincipalArn', async () => {
    const { readSettings } = await import('../../infra/settings.js');
    const { createInfrastructure } = await import('../../infra/program.js');
    const { [`${PROJECT}:argocdHubPrincipalArn`]: _none, ...config } = stackConfig('dev');
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, PROJECT, 'dev', false);
    pulumi.runtime.setAllConfig({ ...config, [`${PROJECT}:dbPassword`]: TEST_DB_PASSWORD }, [`${PROJECT}:dbPassword`]);
    const settings = readSettings();
    expect(settings.argocdHubPrincipalArn).toBeUndefined();
    expect(() => createInfrastructure({ root: project.root, settings })).toThrow(/hubType: eks-capability, so the capability's IAM role needs an access entry on stack "dev".*pulumi config set argocdHubPrincipalArn/s);
  });

  describe('the dev stack', () => {
    beforeAll(async () => {
      run = await runStack({ env: 'dev', root: project.root, account: ACCOUNT, config: { [`${PROJECT}:argocdHubPrincipalArn`]: CAPABILITY_ROLE } });
    }, 60_000);

    it('creates no role for a hub to assume, and exports no argocd_hub_role_arn', () => {
      expect(run.ofType('aws:iam/role:Role').filter((r) => /argocd/.test(r.name) || /argocd/.test(String(r.inputs.name)))).toEqual([]);
      expect(run.outputs).not.toHaveProperty('argocd_hub_role_arn');
      // Every other key of the committed (self-managed) snapshot is still there.
      const { argocd_hub_role_arn: _role, ...others } = snapshot('dev');
      expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(others).sort());
    });

    it('admits the capability role with an access entry and the cluster-admin policy, cluster-wide', () => {
      const entry = run.one('aws:eks/accessEntry:AccessEntry');
      expect(entry.inputs).toMatchObject({ clusterName: 'shop-dev', principalArn: CAPABILITY_ROLE, type: 'STANDARD' });
      const association = run.one('aws:eks/accessPolicyAssociation:AccessPolicyAssociation');
      expect(association.inputs).toMatchObject({
        clusterName: 'shop-dev',
        principalArn: CAPABILITY_ROLE,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      });
      expect(run.ofType('pulumi:providers:kubernetes')).toEqual([]);
      expect(run.ofType('kubernetes:helm.sh/v3:Release')).toEqual([]);
    });

    it('passes every policy rule', () => {
      expect(evaluate(run.resources)).toEqual([]);
    });

    it('is a snapshot the render turns into the capability\'s cluster Secret (server = cluster ARN, no config)', () => {
      writeFileSync(join(project.root, 'infra/outputs/dev.json'), `${JSON.stringify(run.outputs, Object.keys(run.outputs).sort(), 2)}\n`);
      const secret = argocdObjects(readFleet(project.root), []).find((o) => o.kind === 'Secret' && (o.metadata as { name: string }).name === 'cluster-dev')!;
      const clusterArn = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/shop-dev`;
      expect(secret.stringData).toEqual({ name: 'shop-dev', server: clusterArn });
      expect((secret.metadata as { annotations: Record<string, string> }).annotations).not.toHaveProperty('argocd_hub_role_arn');
    });
  });
});
