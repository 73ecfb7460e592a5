/**
 * The environment's infrastructure as one component tree, and its stack outputs: the bridge
 * contract infra/outputs/<env>.json commits. Which workload roles exist (IRSA or EKS Pod
 * Identity) comes from the app and addon specs in manifests/, read with the generators' own
 * loader; nothing is listed twice. So does the kind of Argo CD hub (manifests/argocd.yaml
 * spec.hubType): a self-managed hub assumes this environment's argocd-hub role, exported as
 * `argocd_hub_role_arn`; the EKS capability's own role is admitted directly, with no role to
 * assume and no such export.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { readAwsAccess, workloadExports, type EnvironmentAwsAccess } from '../generators/load/aws-access.js';
import { argoCdSettings, bootstrapApplication, clusterSecrets, withSyncWave } from '../generators/argocd/index.js';
import { HUB_ROLE_KEY } from '../generators/argocd/cluster-secrets.js';
import type { HubType } from '../generators/argocd/settings.js';
import type { Fleet } from '../generators/load/fleet.js';
import { parseYaml } from '../generators/load/yaml.js';
import { readFleet } from '../generators/workspace/fleet.js';
import { readSources } from '../generators/workspace/inputs.js';
import { ArgocdAccess } from './components/argocd-access.js';
import { ArgocdHub } from './components/argocd-hub.js';
import { Bucket } from './components/bucket.js';
import { Cluster } from './components/cluster.js';
import { Database } from './components/database.js';
import { Dns } from './components/dns.js';
import { IrsaRoles } from './components/irsa.js';
import { Network } from './components/network.js';
import { PodIdentity } from './components/pod-identity.js';
import { Queue } from './components/queue.js';
import { ARGOCD_CHART_VERSION, type Settings } from './settings.js';
import { standardTags, tagTransformation } from './tags.js';

/**
 * The shop's data stores. Each adds its outputs to the bridge: `<name>_db_endpoint`,
 * `<name>_bucket_arn`, `<name>_queue_url`... (dashes become underscores).
 */
export const DATA_STORES = {
  database: { name: 'orders', dbName: 'orders', masterUsername: 'orders_admin' },
  buckets: ['orders-documents'],
  queues: ['orders'],
} as const;

const snake = (s: string) => s.replace(/-/g, '_');

export type StackOutputs = Record<string, pulumi.Output<string>>;

export interface Infrastructure {
  environment: Environment;
  access: EnvironmentAwsAccess;
  /** Exactly the bridge contract keys, nothing secret. */
  outputs: StackOutputs;
}

export interface CreateOptions {
  /** Project root holding manifests/ and schemas/. */
  root: string;
  settings: Settings;
}

export function createInfrastructure({ root, settings }: CreateOptions): Infrastructure {
  const sources = readSources(root);
  // Also loads manifests/argocd.yaml (schema-checked): with it, the hub syncs every environment.
  const access = readAwsAccess(sources, settings.environment);
  const hubFile = access.argocd?.file;
  const hubType: HubType = access.argocd?.spec.hubType ?? 'self-managed';
  if (hubFile && settings.argocdHubPrincipalArn === undefined) {
    throw new Error(
      hubType === 'eks-capability'
        ? `${hubFile} has hubType: eks-capability, so the capability's IAM role needs an access entry on stack "${settings.environment}": ` +
            'set it with `pulumi config set argocdHubPrincipalArn arn:aws:iam::<hub account>:role/<capability role>` in infra/'
        : `${hubFile} exists, so the Argo CD hub needs a role to reach stack "${settings.environment}": ` +
            'set the hub\'s Argo CD role with `pulumi config set argocdHubPrincipalArn arn:aws:iam::<hub account>:role/<name>` in infra/',
    );
  }
  if (settings.hub && !hubFile) {
    throw new Error(`stack "${settings.environment}" sets hub: true, but there is no manifests/argocd.yaml to tell the hub what to sync: add it, or \`pulumi config rm hub\` in infra/`);
  }
  if (settings.hub && hubType === 'eks-capability') {
    const line = parseYaml(sources.get(hubFile!)!, hubFile!).lineOf('/spec/hubType');
    throw new Error(
      `stack "${settings.environment}" sets hub: true, which installs Argo CD on its cluster, but ${hubFile}${line ? `:${line}` : ''} says the hub is the ` +
        'AWS-managed Argo CD (hubType: eks-capability): for the EKS capability run `pulumi config rm hub` in infra/ (AWS runs Argo CD; ' +
        'argocdHubPrincipalArn names the capability role), or to install Argo CD on this cluster set hubType: self-managed in ' +
        `${hubFile}`,
    );
  }
  // The hub reads the fleet the way a render does: argocd.yaml, the environments and their snapshots.
  const fleet = settings.hub ? readFleet(root) : undefined;
  const tags = standardTags(settings.environment, settings.team, settings.costCenter);
  const provider = new aws.Provider('aws', { region: settings.region as aws.Region, defaultTags: { tags } });
  const environment = new Environment(
    settings.environment,
    { settings, access, hubType, ...(fleet && { fleet }) },
    { providers: { aws: provider }, transformations: [tagTransformation(tags)] },
  );
  return { environment, access, outputs: environment.outputs };
}

export interface EnvironmentArgs {
  settings: Settings;
  access: EnvironmentAwsAccess;
  /**
   * Which Argo CD reaches the cluster (manifests/argocd.yaml spec.hubType): `self-managed` (the
   * default) assumes the argocd-hub role; `eks-capability` is admitted as its own role.
   */
  hubType?: HubType;
  /** The fleet as the render loads it, when this stack's cluster is the Argo CD hub. */
  fleet?: Fleet;
}

/** Everything one environment runs on; the root of the component tree. */
export class Environment extends pulumi.ComponentResource {
  readonly network: Network;
  readonly cluster: Cluster;
  readonly dns: Dns;
  readonly database: Database;
  readonly buckets: Map<string, Bucket> = new Map();
  readonly queues: Map<string, Queue> = new Map();
  readonly irsa: IrsaRoles;
  readonly podIdentity: PodIdentity;
  readonly argocd?: ArgocdAccess;
  readonly hub?: ArgocdHub;
  readonly outputs: StackOutputs;

  constructor(name: string, { settings: s, access, hubType = 'self-managed', fleet }: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:Environment', name, {}, opts);
    const parent = { parent: this };
    const prefix = `${s.system}-${s.environment}`;
    const production = access.spec.tier === 'production';
    const account = aws.getCallerIdentityOutput({}, parent);

    this.network = new Network(
      'network',
      { name: prefix, cidr: s.vpcCidr, availabilityZones: s.availabilityZones, natGateways: s.natGateways, clusterName: prefix },
      parent,
    );
    this.cluster = new Cluster(
      'cluster',
      {
        name: prefix,
        version: s.kubernetesVersion,
        privateSubnetIds: this.network.privateSubnetIds,
        publicAccessCidrs: s.clusterPublicAccessCidrs,
        nodeGroup: s.nodeGroup,
        logRetentionDays: s.logRetentionDays,
        instanceTags: standardTags(s.environment, s.team, s.costCenter),
      },
      parent,
    );
    this.dns = new Dns('dns', { domain: access.spec.domain, hosts: access.ingressHosts }, parent);

    const db = DATA_STORES.database;
    this.database = new Database(
      `${db.name}-db`,
      {
        identifier: `${prefix}-${db.name}`,
        dbName: db.dbName,
        masterUsername: db.masterUsername,
        masterPassword: s.dbPassword,
        vpcId: this.network.vpcId,
        subnetIds: this.network.privateSubnetIds,
        clientSecurityGroupIds: [this.cluster.clusterSecurityGroupId],
        settings: s.database,
        production,
      },
      parent,
    );
    for (const b of DATA_STORES.buckets) {
      // Bucket names are global: the account id keeps them unique.
      this.buckets.set(b, new Bucket(`${b}-bucket`, { bucketName: pulumi.interpolate`${prefix}-${b}-${account.accountId}`, noncurrentVersionDays: production ? 90 : 30 }, parent));
    }
    for (const q of DATA_STORES.queues) {
      this.queues.set(q, new Queue(`${q}-queue`, { queueName: `${prefix}-${q}`, maxReceiveCount: 5 }, parent));
    }

    // Everything but the role ARNs: what policy statements may reference as ${bridge.<key>}.
    const base: StackOutputs = {
      aws_account_id: account.accountId,
      aws_region: pulumi.output(s.region),
      aws_cluster_name: this.cluster.name,
      aws_vpc_id: this.network.vpcId,
      aws_vpc_cidr: this.network.cidrBlock,
      cluster_endpoint: this.cluster.endpoint,
      cluster_certificate_authority_data: this.cluster.certificateAuthorityData,
      kubernetes_version: this.cluster.version,
      oidc_provider: this.cluster.oidcProviderUrl,
      oidc_provider_arn: this.cluster.oidcProviderArn,
      route53_zone_id: this.dns.zoneId,
      [`${snake(s.system)}_certificate_arn`]: this.dns.certificateArn,
      [`${snake(db.name)}_db_endpoint`]: this.database.address,
      [`${snake(db.name)}_db_reader_endpoint`]: this.database.readerAddress,
    };
    for (const [b, bucket] of this.buckets) {
      base[`${snake(b)}_bucket_arn`] = bucket.arn;
      base[`${snake(b)}_bucket_name`] = bucket.name;
    }
    for (const [q, queue] of this.queues) {
      base[`${snake(q)}_queue_arn`] = queue.arn;
      base[`${snake(q)}_queue_url`] = queue.url;
    }

    const argocdRoleName = `${prefix}-argocd-hub`;
    if (s.hub && fleet?.argocd && s.argocdHubPrincipalArn !== undefined) {
      const argocd = argoCdSettings(fleet.argocd);
      // This environment's own argocd-hub role, by name (it is created below, trusting the hub role);
      // the others' from their snapshots.
      const spokeRoleArns: pulumi.Input<string>[] = [
        pulumi.interpolate`arn:aws:iam::${account.accountId}:role/${argocdRoleName}`,
        ...fleet.environments.filter((e) => e.name !== s.environment && e.outputs[HUB_ROLE_KEY] !== undefined).map((e) => e.outputs[HUB_ROLE_KEY]!),
      ];
      this.hub = new ArgocdHub(
        'hub',
        {
          clusterName: this.cluster.name,
          endpoint: this.cluster.endpoint,
          certificateAuthorityData: this.cluster.certificateAuthorityData,
          region: s.region,
          oidcProviderArn: this.cluster.oidcProviderArn,
          oidcProviderUrl: this.cluster.oidcProviderUrl,
          hubRoleArn: s.argocdHubPrincipalArn,
          spokeRoleArns,
          namespace: argocd.namespace,
          chartVersion: s.argocdChartVersion ?? ARGOCD_CHART_VERSION,
          production,
          bootstrap: withSyncWave(bootstrapApplication(argocd)),
          clusterSecrets: argocd.clusterRegistration === 'pulumi' ? clusterSecrets(fleet) : [],
          dependsOn: [this.cluster.nodeGroup],
        },
        parent,
      );
    }
    if (s.argocdHubPrincipalArn !== undefined) {
      // On the hub stack, the hub role must exist before a trust policy can name it. With the
      // EKS capability, argocdHubPrincipalArn is the capability role: no role to assume.
      this.argocd = new ArgocdAccess(
        'argocd',
        {
          roleName: argocdRoleName,
          clusterName: this.cluster.name,
          hubPrincipalArn: s.argocdHubPrincipalArn,
          mode: hubType === 'eks-capability' ? 'eks-capability' : 'assume-role',
        },
        { parent: this, ...(this.hub && { dependsOn: [this.hub.role] }) },
      );
    }

    this.irsa = new IrsaRoles(
      'irsa',
      {
        clusterName: prefix,
        oidcProviderArn: this.cluster.oidcProviderArn,
        oidcProviderUrl: this.cluster.oidcProviderUrl,
        workloads: access.workloads,
        bridge: base,
      },
      parent,
    );
    this.podIdentity = new PodIdentity(
      'pod-identity',
      { clusterName: this.cluster.name, kubernetesVersion: this.cluster.version, workloads: access.workloads, roles: this.irsa.roles },
      parent,
    );

    const outputs: StackOutputs = { ...base, ...(this.argocd?.roleArn && { [HUB_ROLE_KEY]: this.argocd.roleArn }) };
    const claim = (key: string, value: pulumi.Output<string>, file: string | undefined) => {
      if (key in outputs) throw new Error(`${file}: stack output "${key}" is already taken; choose another serviceAccount.aws.roleOutput`);
      outputs[key] = value;
    };
    for (const w of access.workloads) {
      const keys = workloadExports(w);
      claim(keys.roleArn, this.irsa.roles.get(w.name)!.arn, w.files[0]);
      if (keys.namespace) claim(keys.namespace, pulumi.output(w.namespace), w.files[0]);
      if (keys.serviceAccount) claim(keys.serviceAccount, pulumi.output(w.serviceAccount), w.files[0]);
    }
    this.outputs = Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.registerOutputs(this.outputs);
  }
}
