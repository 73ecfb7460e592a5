/**
 * The AWS access of the hub addons the program knows how to provide for: the IRSA role an
 * upstream gitops-bridge addon ApplicationSet expects to find, by the names of the
 * eks-blueprints-addons `gitops_metadata` contract (`<addon>_iam_role_arn`, `<addon>_namespace`,
 * `<addon>_service_account`), with that module's default namespace and ServiceAccount for each
 * addon (what the upstream chart values use) and an inline policy written here for what the
 * addon does, scoped to the environment's own resources where IAM allows. Pure data.
 *
 * A hub addon whose metadata the program does not provide (karpenter's queue, velero's bucket...)
 * is not listed: the render then names the bridge keys it lacks (argocd/hub-addons.ts), for the
 * stack to export them.
 */
import type { AwsAccess } from './types.gen.js';

type AwsPolicyStatement = NonNullable<AwsAccess['policy']>[number];

export interface HubAddonAccess {
  namespace: string;
  serviceAccount: string;
  /** Statements of the role's inline policy; `${bridge.<key>}` resolves from the stack's outputs. */
  policy: AwsPolicyStatement[];
}

const ACCOUNT_REGION = '${bridge.aws_region}:${bridge.aws_account_id}';

export const HUB_ADDON_ACCESS: Readonly<Record<string, HubAddonAccess>> = {
  aws_load_balancer_controller: {
    namespace: 'kube-system',
    serviceAccount: 'aws-load-balancer-controller-sa',
    policy: [
      {
        sid: 'Describe',
        actions: [
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInstances',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeLoadBalancers',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTags',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
          'acm:DescribeCertificate',
          'acm:ListCertificates',
        ],
        resources: ['*'],
      },
      {
        sid: 'LoadBalancers',
        actions: [
          'elasticloadbalancing:CreateLoadBalancer',
          'elasticloadbalancing:CreateTargetGroup',
          'elasticloadbalancing:CreateListener',
          'elasticloadbalancing:CreateRule',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:RegisterTargets',
          'elasticloadbalancing:DeregisterTargets',
          'elasticloadbalancing:AddTags',
        ],
        resources: [
          `arn:aws:elasticloadbalancing:${ACCOUNT_REGION}:loadbalancer/app/*/*`,
          `arn:aws:elasticloadbalancing:${ACCOUNT_REGION}:targetgroup/*/*`,
          `arn:aws:elasticloadbalancing:${ACCOUNT_REGION}:listener/app/*/*/*`,
          `arn:aws:elasticloadbalancing:${ACCOUNT_REGION}:listener-rule/app/*/*/*/*`,
        ],
      },
      {
        sid: 'SecurityGroups',
        actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:CreateSecurityGroup'],
        resources: [`arn:aws:ec2:${ACCOUNT_REGION}:vpc/\${bridge.aws_vpc_id}`, `arn:aws:ec2:${ACCOUNT_REGION}:security-group/*`],
      },
    ],
  },
  cert_manager: {
    namespace: 'cert-manager',
    serviceAccount: 'cert-manager',
    policy: [
      { sid: 'Changes', actions: ['route53:GetChange'], resources: ['arn:aws:route53:::change/*'] },
      { sid: 'Records', actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'], resources: ['arn:aws:route53:::hostedzone/${bridge.route53_zone_id}'] },
      { sid: 'Zones', actions: ['route53:ListHostedZonesByName'], resources: ['*'] },
    ],
  },
  external_dns: {
    namespace: 'external-dns',
    serviceAccount: 'external-dns-sa',
    policy: [
      { sid: 'Records', actions: ['route53:ChangeResourceRecordSets'], resources: ['arn:aws:route53:::hostedzone/${bridge.route53_zone_id}'] },
      { sid: 'Zones', actions: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'], resources: ['*'] },
    ],
  },
  cluster_autoscaler: {
    namespace: 'kube-system',
    serviceAccount: 'cluster-autoscaler-sa',
    policy: [
      {
        sid: 'Describe',
        actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations', 'autoscaling:DescribeScalingActivities', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplateVersions', 'eks:DescribeNodegroup'],
        resources: ['*'],
      },
      {
        sid: 'Scale',
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: [`arn:aws:autoscaling:${ACCOUNT_REGION}:autoScalingGroup:*:autoScalingGroupName/*`],
      },
    ],
  },
  external_secrets: {
    namespace: 'external-secrets',
    serviceAccount: 'external-secrets-sa',
    policy: [
      { sid: 'Secrets', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'], resources: [`arn:aws:secretsmanager:${ACCOUNT_REGION}:secret:*`] },
      { sid: 'Parameters', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [`arn:aws:ssm:${ACCOUNT_REGION}:parameter/*`] },
    ],
  },
};
