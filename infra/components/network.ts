/**
 * The environment's network: a VPC with one public and one private subnet per availability zone,
 * tagged so the AWS Load Balancer Controller finds them (public: internet-facing, private:
 * internal), an internet gateway, and NAT for the private subnets (one, or one per zone).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { subnetPlan } from '../cidr.js';

export interface NetworkArgs {
  /** Name prefix, e.g. shop-dev. */
  name: string;
  cidr: string;
  availabilityZones: string[];
  natGateways: 'single' | 'per-az';
  /** EKS cluster that shares the subnets. */
  clusterName: string;
}

export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: pulumi.Output<string>;
  readonly publicSubnets: aws.ec2.Subnet[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Network', name, {}, opts);
    const parent = { parent: this };
    const plan = subnetPlan(args.cidr, args.availabilityZones.length);
    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: 'shared' };

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: args.name } },
      parent,
    );
    // Take every rule off the default security group, so nothing can use it by accident.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpc.id, ingress: [], egress: [], tags: { Name: `${args.name}-default` } }, parent);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: { Name: args.name } }, parent);
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: this.vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }], tags: { Name: `${args.name}-public` } },
      parent,
    );

    this.publicSubnets = args.availabilityZones.map((az, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${az}`,
        {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: plan.public[i]!,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${args.name}-public-${az}`, 'kubernetes.io/role/elb': '1', ...clusterTag },
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${az}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, parent);
      return subnet;
    });

    const natCount = args.natGateways === 'per-az' ? args.availabilityZones.length : 1;
    const nats = args.availabilityZones.slice(0, natCount).map((az, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: 'vpc', tags: { Name: `${args.name}-nat-${az}` } }, { parent: this, dependsOn: [igw] });
      return new aws.ec2.NatGateway(
        `${name}-nat-${az}`,
        { allocationId: eip.id, subnetId: this.publicSubnets[i]!.id, tags: { Name: `${args.name}-nat-${az}` } },
        { parent: this, dependsOn: [igw] },
      );
    });

    this.privateSubnets = args.availabilityZones.map((az, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${az}`,
        {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: plan.private[i]!,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${args.name}-private-${az}`, 'kubernetes.io/role/internal-elb': '1', ...clusterTag },
        },
        parent,
      );
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${az}`,
        { vpcId: this.vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nats[i % natCount]!.id }], tags: { Name: `${args.name}-private-${az}` } },
        parent,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${az}`, { subnetId: subnet.id, routeTableId: routes.id }, parent);
      return subnet;
    });

    this.vpcId = this.vpc.id;
    this.cidrBlock = this.vpc.cidrBlock;
    this.publicSubnetIds = this.publicSubnets.map((s) => s.id);
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
  }
}
