/**
 * The EKS cluster: Kubernetes secrets envelope-encrypted with a customer-managed KMS key, every
 * control-plane log type sent to CloudWatch, a managed node group (IMDSv2 only, encrypted root
 * volumes) in the private subnets, and the IAM OIDC provider that IRSA roles trust.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { NodeGroupSettings } from '../settings.js';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export interface ClusterArgs {
  /** Cluster name, e.g. shop-dev. */
  name: string;
  version: string;
  /** Subnets of the control plane's network interfaces and of the nodes. */
  privateSubnetIds: pulumi.Input<string>[];
  publicAccessCidrs: string[];
  nodeGroup: NodeGroupSettings;
  logRetentionDays: number;
  /** Tags for the nodes' EC2 instances and volumes (a node group's own tags stay on the group). */
  instanceTags: Record<string, string>;
}

const assumeRole = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

export class Cluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  readonly secretsKey: aws.kms.Key;
  readonly nodeGroup: aws.eks.NodeGroup;
  readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  readonly name: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly certificateAuthorityData: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;
  /** Security group EKS puts on the control plane and managed nodes (so on pods, too). */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** The issuer without https://, as IRSA trust conditions spell it. */
  readonly oidcProviderUrl: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Cluster', name, {}, opts);
    const parent = { parent: this };

    this.secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      { description: `EKS secrets envelope encryption for ${args.name}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { Name: `${args.name}-eks-secrets` } },
      parent,
    );
    new aws.kms.Alias(`${name}-secrets`, { name: `alias/${args.name}-eks-secrets`, targetKeyId: this.secretsKey.keyId }, parent);

    const clusterRole = new aws.iam.Role(`${name}-cluster`, { name: `${args.name}-cluster`, assumeRolePolicy: assumeRole('eks.amazonaws.com') }, parent);
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-cluster-policy`,
      { role: clusterRole.name, policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' },
      parent,
    );
    // The control plane encrypts and decrypts secrets with the key: exactly these actions, on it only.
    const clusterKms = new aws.iam.RolePolicy(
      `${name}-cluster-kms`,
      {
        role: clusterRole.name,
        policy: this.secretsKey.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'SecretsEncryption', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'], Resource: [arn] }],
          }),
        ),
      },
      parent,
    );

    // Created before the cluster so its retention applies (EKS would create it with none).
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${args.name}/cluster`, retentionInDays: args.logRetentionDays },
      parent,
    );

    this.cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.name,
        version: args.version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: args.publicAccessCidrs,
        },
        encryptionConfig: { provider: { keyArn: this.secretsKey.arn }, resources: ['secrets'] },
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      },
      { parent: this, dependsOn: [clusterPolicy, clusterKms, logGroup] },
    );

    const nodeRole = new aws.iam.Role(`${name}-node`, { name: `${args.name}-node`, assumeRolePolicy: assumeRole('ec2.amazonaws.com') }, parent);
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, parent),
    );

    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        name: `${args.name}-nodes`,
        updateDefaultVersion: true,
        // IMDSv2 with one hop: pods cannot reach the node role's credentials; they use IRSA.
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: args.nodeGroup.diskSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } },
        ],
        tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
          resourceType,
          tags: { ...args.instanceTags, Name: `${args.name}-node` },
        })),
      },
      parent,
    );

    this.nodeGroup = new aws.eks.NodeGroup(
      `${name}-default`,
      {
        clusterName: this.cluster.name,
        nodeGroupName: 'default',
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        amiType: 'AL2023_x86_64_STANDARD',
        instanceTypes: args.nodeGroup.instanceTypes,
        scalingConfig: { minSize: args.nodeGroup.minSize, desiredSize: args.nodeGroup.desiredSize, maxSize: args.nodeGroup.maxSize },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
      },
      // The autoscaler owns desiredSize once the group exists.
      { parent: this, dependsOn: nodePolicies, ignoreChanges: ['scalingConfig.desiredSize'] },
    );

    const issuer = this.cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? '');
    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ['sts.amazonaws.com'], tags: { Name: `${args.name}-irsa` } },
      parent,
    );

    this.name = this.cluster.name;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.apply((ca) => ca.data ?? '');
    this.version = this.cluster.version;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId ?? '');
    this.oidcProviderUrl = this.oidcProvider.url.apply((u) => u.replace(/^https:\/\//, ''));
    this.oidcProviderArn = this.oidcProvider.arn;
    this.registerOutputs({ name: this.name, endpoint: this.endpoint, oidcProviderArn: this.oidcProviderArn });
  }
}
