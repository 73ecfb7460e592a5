/**
 * How the Argo CD hub reaches this environment's cluster: a role in the environment's account
 * that only the hub's Argo CD role may assume, granted cluster access by an EKS access entry
 * (no aws-auth ConfigMap, no long-lived token). Its ARN is `argocd_hub_role_arn` in the bridge,
 * which the environment's Argo CD cluster Secret uses as awsAuthConfig.roleARN.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ArgocdAccessArgs {
  /** Role name, e.g. shop-dev-argocd-hub. */
  roleName: string;
  clusterName: pulumi.Input<string>;
  /** The hub's Argo CD role (application controller and server), e.g. arn:aws:iam::111122223333:role/argocd-hub. */
  hubPrincipalArn: string;
  /** EKS access policy granted cluster-wide: Argo CD creates namespaces and RBAC. */
  accessPolicyArn?: string;
}

export class ArgocdAccess extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ArgocdAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:ArgocdAccess', name, {}, opts);
    this.role = new aws.iam.Role(
      `${name}-hub`,
      {
        name: args.roleName,
        description: 'Assumed by the Argo CD hub to sync this cluster',
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'ArgoCdHub', Effect: 'Allow', Principal: { AWS: args.hubPrincipalArn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
        }),
        tags: { 'gitops-bridge/workload': 'argocd-hub' },
      },
      { parent: this },
    );
    const entry = new aws.eks.AccessEntry(
      `${name}-hub`,
      { clusterName: args.clusterName, principalArn: this.role.arn, type: 'STANDARD' },
      { parent: this },
    );
    new aws.eks.AccessPolicyAssociation(
      `${name}-hub`,
      {
        clusterName: args.clusterName,
        principalArn: this.role.arn,
        policyArn: args.accessPolicyArn ?? 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      },
      { parent: this, dependsOn: [entry] },
    );
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
