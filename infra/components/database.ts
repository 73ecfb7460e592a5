/**
 * A PostgreSQL database on RDS: storage encrypted with a customer-managed KMS key, TLS forced,
 * private subnets only, reachable from the cluster's security group on 5432, automated backups
 * (30 days in production, 7 elsewhere), Multi-AZ and deletion protection in production, and an
 * optional read replica for reporting. The master password comes from secret stack config and
 * stays a secret: it is never exported, and the provider stores it encrypted in the state.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DatabaseSettings } from '../settings.js';

export interface DatabaseArgs {
  /** Instance identifier, e.g. shop-dev-orders. */
  identifier: string;
  dbName: string;
  masterUsername: string;
  masterPassword: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  /** Security groups allowed to connect (the cluster's). */
  clientSecurityGroupIds: pulumi.Input<string>[];
  settings: DatabaseSettings;
  production: boolean;
}

/** Backup retention by environment tier: what the platform promises, not a per-stack knob. */
export function backupRetentionDays(production: boolean): number {
  return production ? 30 : 7;
}

export class Database extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly replica?: aws.rds.Instance;
  readonly key: aws.kms.Key;
  /** Host name of the primary. */
  readonly address: pulumi.Output<string>;
  /** Host name for read-only clients: the replica when there is one, else the primary. */
  readonly readerAddress: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Database', name, {}, opts);
    const parent = { parent: this };
    const major = args.settings.engineVersion.split('.')[0]!;

    this.key = new aws.kms.Key(
      `${name}-storage`,
      { description: `RDS storage encryption for ${args.identifier}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { Name: `${args.identifier}-rds` } },
      parent,
    );
    new aws.kms.Alias(`${name}-storage`, { name: `alias/${args.identifier}-rds`, targetKeyId: this.key.keyId }, parent);

    const subnets = new aws.rds.SubnetGroup(`${name}`, { name: args.identifier, subnetIds: args.subnetIds }, parent);
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}`,
      { name: `${args.identifier}-db`, description: `PostgreSQL clients of ${args.identifier}`, vpcId: args.vpcId, tags: { Name: `${args.identifier}-db` } },
      parent,
    );
    args.clientSecurityGroupIds.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-postgres-${i}`,
        { securityGroupId: securityGroup.id, referencedSecurityGroupId: source, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, description: 'PostgreSQL from the cluster' },
        parent,
      );
    });
    const parameters = new aws.rds.ParameterGroup(
      `${name}`,
      {
        name: `${args.identifier}-postgres${major}`,
        family: `postgres${major}`,
        description: `TLS-only PostgreSQL ${major} for ${args.identifier}`,
        parameters: [
          { name: 'rds.force_ssl', value: '1' },
          { name: 'log_connections', value: '1' },
        ],
      },
      parent,
    );

    const retention = backupRetentionDays(args.production);
    this.instance = new aws.rds.Instance(
      `${name}`,
      {
        identifier: args.identifier,
        engine: 'postgres',
        engineVersion: args.settings.engineVersion,
        instanceClass: args.settings.instanceClass,
        allocatedStorage: args.settings.allocatedStorageGb,
        maxAllocatedStorage: args.settings.maxAllocatedStorageGb,
        storageType: 'gp3',
        storageEncrypted: true,
        kmsKeyId: this.key.arn,
        dbName: args.dbName,
        username: args.masterUsername,
        password: args.masterPassword,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        multiAz: args.production,
        backupRetentionPeriod: retention,
        backupWindow: '02:00-03:00',
        maintenanceWindow: 'sun:03:30-sun:04:30',
        copyTagsToSnapshot: true,
        deletionProtection: args.production,
        skipFinalSnapshot: !args.production,
        finalSnapshotIdentifier: args.production ? `${args.identifier}-final` : undefined,
        iamDatabaseAuthenticationEnabled: true,
        autoMinorVersionUpgrade: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: this.key.arn,
        enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      },
      parent,
    );

    if (args.settings.readReplica) {
      this.replica = new aws.rds.Instance(
        `${name}-replica`,
        {
          identifier: `${args.identifier}-replica`,
          replicateSourceDb: this.instance.identifier,
          instanceClass: args.settings.instanceClass,
          storageType: 'gp3',
          storageEncrypted: true,
          kmsKeyId: this.key.arn,
          vpcSecurityGroupIds: [securityGroup.id],
          parameterGroupName: parameters.name,
          publiclyAccessible: false,
          multiAz: false,
          backupRetentionPeriod: 0,
          skipFinalSnapshot: true,
          iamDatabaseAuthenticationEnabled: true,
          autoMinorVersionUpgrade: true,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: this.key.arn,
          tags: { role: 'read-replica' },
        },
        parent,
      );
    }

    this.address = this.instance.address;
    this.readerAddress = (this.replica ?? this.instance).address;
    this.registerOutputs({ address: this.address, readerAddress: this.readerAddress });
  }
}
