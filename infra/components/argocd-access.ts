/**
 * How the Argo CD hub reaches this environment's cluster, granted by an EKS access entry (no
 * aws-auth ConfigMap, no long-lived token). Two kinds of hub:
 * - `assume-role` (a self-managed Argo CD): a role in the environment's account that only the
 *   hub's Argo CD role may assume, with the access entry. Its ARN is `argocd_hub_role_arn` in the
 *   bridge, which the environment's Argo CD cluster Secret uses as awsAuthConfig.roleARN.
 * - `eks-capability` (the AWS-managed Argo CD of the EKS capability): the access entry is for the
 *   capability's own IAM role, and there is no role to assume: the capability names the cluster
 *   by its ARN in the cluster Secret and authenticates as its role (manifests/argocd.yaml
 *   `hubType: eks-capability`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ArgocdAccessArgs {
  /** Role name, e.g. shop-dev-argocd-hub (assume-role only). */
  roleName: string;
  clusterName: pulumi.Input<string>;
  /**
   * assume-role: the hub's Argo CD role (application controller and server), e.g.
   * arn:aws:iam::111122223333:role/argocd-hub. eks-capability: the capability's IAM role.
   */
  hubPrincipalArn: string;
  /** EKS access policy granted cluster-wide: Argo CD creates namespaces and RBAC. */
  accessPolicyArn?: string;
  /** Defaults to assume-role. */
  mode?: 'assume-role' | 'eks-capability';
}

export class ArgocdAccess extends pulumi.ComponentResource {
  /** The role the hub assumes (assume-role only). */
  readonly role?: aws.iam.Role;
  /** Its ARN, the bridge key argocd_hub_role_arn (assume-role only). */
  readonly roleArn?: pulumi.Output<string>;
  /** The principal the access entry admits: the assumed role, or the capability's role. */
  readonly principalArn: pulumi.Output<string>;

  constructor(name: string, args: ArgocdAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:ArgocdAccess', name, {}, opts);
    if ((args.mode ?? 'assume-role') === 'assume-role') {
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
      this.roleArn = this.role.arn;
      this.principalArn = this.role.arn;
    } else {
      this.principalArn = pulumi.output(args.hubPrincipalArn);
    }
    const entry = new aws.eks.AccessEntry(
      `${name}-hub`,
      { clusterName: args.clusterName, principalArn: this.principalArn, type: 'STANDARD' },
      { parent: this },
    );
    new aws.eks.AccessPolicyAssociation(
      `${name}-hub`,
      {
        clusterName: args.clusterName,
        principalArn: this.principalArn,
        policyArn: args.accessPolicyArn ?? 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      },
      { parent: this, dependsOn: [entry] },
    );
    this.registerOutputs({ principalArn: this.principalArn, ...(this.roleArn && { roleArn: this.roleArn }) });
  }
}
