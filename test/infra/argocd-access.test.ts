/** ArgocdAccess under Pulumi mocks: the assume-role hub and the EKS capability hub. */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';

const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        created.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const extra = args.type === 'aws:iam/role:Role' ? { arn: `arn:aws:iam::210987654321:role/${String(args.inputs['name'])}` } : {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
      },
      call: (args) => args.inputs,
    },
    'gitops-bridge-infra',
    'dev',
    false,
  );
});

const resolve = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((r) => o.apply((v) => r(v)));
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('ArgocdAccess', () => {
  it('assume-role: a role only the hub may assume, admitted by an access entry', async () => {
    const { ArgocdAccess } = await import('../../infra/components/argocd-access.js');
    created.length = 0;
    const access = new ArgocdAccess('argocd', { roleName: 'shop-dev-argocd-hub', clusterName: 'shop-dev', hubPrincipalArn: 'arn:aws:iam::111122223333:role/argocd-hub' });
    expect(await resolve(access.principalArn)).toBe('arn:aws:iam::210987654321:role/shop-dev-argocd-hub');
    expect(await resolve(access.roleArn!)).toBe('arn:aws:iam::210987654321:role/shop-dev-argocd-hub');
    await settle();
    const role = created.find((r) => r.type === 'aws:iam/role:Role')!;
    expect(JSON.parse(role.inputs['assumeRolePolicy'] as string).Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:role/argocd-hub' });
    expect(created.find((r) => r.type === 'aws:eks/accessEntry:AccessEntry')!.inputs).toMatchObject({ clusterName: 'shop-dev', principalArn: 'arn:aws:iam::210987654321:role/shop-dev-argocd-hub', type: 'STANDARD' });
  });

  it('eks-capability: no role to assume; the access entry and cluster-wide policy admit the capability role itself', async () => {
    const { ArgocdAccess } = await import('../../infra/components/argocd-access.js');
    created.length = 0;
    const capabilityRole = 'arn:aws:iam::210987654321:role/ArgoCDCapabilityRole';
    const access = new ArgocdAccess('argocd', { roleName: 'unused', clusterName: 'shop-dev', hubPrincipalArn: capabilityRole, mode: 'eks-capability' });
    expect(access.role).toBeUndefined();
    expect(access.roleArn).toBeUndefined();
    expect(await resolve(access.principalArn)).toBe(capabilityRole);
    await settle();
    expect(created.filter((r) => r.type === 'aws:iam/role:Role')).toEqual([]);
    expect(created.find((r) => r.type === 'aws:eks/accessEntry:AccessEntry')!.inputs).toMatchObject({ clusterName: 'shop-dev', principalArn: capabilityRole, type: 'STANDARD' });
    expect(created.find((r) => r.type === 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation')!.inputs).toMatchObject({
      principalArn: capabilityRole,
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      accessScope: { type: 'cluster' },
    });
  });
});
