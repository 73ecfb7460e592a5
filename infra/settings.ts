/**
 * The stack's configuration (infra/Pulumi.<stack>.yaml), read once and checked, so a typo in a
 * stack file fails the preview with the key's name instead of creating something odd.
 */
import * as pulumi from '@pulumi/pulumi';

export interface NodeGroupSettings {
  instanceTypes: string[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  diskSizeGb: number;
}

export interface DatabaseSettings {
  instanceClass: string;
  engineVersion: string;
  allocatedStorageGb: number;
  maxAllocatedStorageGb: number;
  /** A read replica for reporting; without it the reader endpoint is the primary. */
  readReplica: boolean;
}

export interface Settings {
  /** The environment, which is the stack name (manifests/environments/<stack>.yaml). */
  environment: string;
  region: string;
  /** Name prefix of the environment's resources, e.g. shop -> shop-dev. */
  system: string;
  /** Owner and cost-center tags of shared (non-app) resources. */
  team: string;
  costCenter: string;
  vpcCidr: string;
  availabilityZones: string[];
  /** `single` NAT gateway (cheap) or `per-az` (survives the loss of a zone). */
  natGateways: 'single' | 'per-az';
  kubernetesVersion: string;
  clusterPublicAccessCidrs: string[];
  nodeGroup: NodeGroupSettings;
  database: DatabaseSettings;
  /** `pulumi config set --secret dbPassword`: a secret Output, never a plain string. */
  dbPassword: pulumi.Output<string>;
  logRetentionDays: number;
  /**
   * The Argo CD hub's IAM role, needed when manifests/argocd.yaml exists. Self-managed hub: the
   * role allowed to assume this environment's argocd-hub role (argocd_hub_role_arn). With
   * `hubType: eks-capability`: the capability role, which the access entry admits directly.
   */
  argocdHubPrincipalArn?: string;
  /**
   * This stack's cluster is the Argo CD hub (`pulumi config set hub true`): the program creates
   * the hub role named by argocdHubPrincipalArn, installs Argo CD and the bootstrap Application
   * (infra/components/argocd-hub.ts). At most one stack of the fleet sets it.
   */
  hub: boolean;
  /** The argo-cd Helm chart's exact version on the hub; defaults to ARGOCD_CHART_VERSION. */
  argocdChartVersion?: string;
}

/** The argo-cd chart (https://argoproj.github.io/argo-helm) the hub installs unless the stack pins another. */
export const ARGOCD_CHART_VERSION = '7.7.0';
/** An exact chart version: no range, no `x`, no `latest`. */
export const EXACT_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Reads the current stack's settings; throws one error listing every problem found. */
export function readSettings(): Settings {
  const config = new pulumi.Config();
  const awsConfig = new pulumi.Config('aws');
  const problems: string[] = [];
  const project = pulumi.getProject();
  const key = (k: string) => `${project}:${k}`;

  const str = (k: string, pattern?: RegExp): string => {
    const v = config.get(k);
    if (v === undefined || v === '') problems.push(`${key(k)} is not set`);
    else if (pattern && !pattern.test(v)) problems.push(`${key(k)} = "${v}" does not match ${pattern}`);
    return v ?? '';
  };
  const obj = <T>(k: string): Partial<T> => {
    try {
      return config.requireObject<Partial<T>>(k) ?? {};
    } catch (e) {
      problems.push(`${key(k)}: ${(e as Error).message.split('\n')[0]}`);
      return {};
    }
  };
  const int = (where: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${where} must be an integer from ${min} to ${max} (is ${JSON.stringify(v)})`);
    return typeof v === 'number' ? v : min;
  };
  const strings = (where: string, v: unknown): string[] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) {
      problems.push(`${where} must be a non-empty list of strings`);
      return [];
    }
    return v as string[];
  };

  const region = awsConfig.get('region') ?? '';
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) problems.push(`aws:region is not set to an AWS region (is "${region}")`);
  const environment = pulumi.getStack();
  const system = str('system', /^[a-z][a-z0-9-]{0,19}$/);
  const team = str('team', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  const costCenter = str('costCenter');
  const vpcCidr = str('vpcCidr', /^[0-9]{1,3}(\.[0-9]{1,3}){3}\/(1[6-9]|20)$/);
  const kubernetesVersion = str('kubernetesVersion', /^1\.[0-9]+$/);
  const natGateways = config.get('natGateways') ?? 'single';
  if (natGateways !== 'single' && natGateways !== 'per-az') problems.push(`${key('natGateways')} must be "single" or "per-az"`);

  let availabilityZones: string[] = [];
  let clusterPublicAccessCidrs: string[] = [];
  try {
    availabilityZones = strings(key('availabilityZones'), config.requireObject('availabilityZones'));
    clusterPublicAccessCidrs = strings(key('clusterPublicAccessCidrs'), config.requireObject('clusterPublicAccessCidrs'));
  } catch (e) {
    problems.push((e as Error).message.split('\n')[0]!);
  }
  if (availabilityZones.length && (availabilityZones.length < 2 || availabilityZones.length > 4)) {
    problems.push(`${key('availabilityZones')} must list 2 to 4 zones (EKS needs at least two)`);
  }
  for (const az of availabilityZones) if (region && !az.startsWith(region)) problems.push(`availability zone ${az} is not in ${region}`);

  const ng = obj<NodeGroupSettings>('nodeGroup');
  const nodeGroup: NodeGroupSettings = {
    instanceTypes: strings(`${key('nodeGroup')}.instanceTypes`, ng.instanceTypes),
    minSize: int(`${key('nodeGroup')}.minSize`, ng.minSize, 1, 100),
    desiredSize: int(`${key('nodeGroup')}.desiredSize`, ng.desiredSize, 1, 100),
    maxSize: int(`${key('nodeGroup')}.maxSize`, ng.maxSize, 1, 100),
    diskSizeGb: int(`${key('nodeGroup')}.diskSizeGb`, ng.diskSizeGb ?? 50, 20, 1000),
  };
  if (!(nodeGroup.minSize <= nodeGroup.desiredSize && nodeGroup.desiredSize <= nodeGroup.maxSize)) {
    problems.push(`${key('nodeGroup')}: minSize <= desiredSize <= maxSize does not hold`);
  }

  const db = obj<DatabaseSettings>('database');
  const database: DatabaseSettings = {
    instanceClass: typeof db.instanceClass === 'string' && /^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass) ? db.instanceClass : (problems.push(`${key('database')}.instanceClass must be like db.t4g.medium`), ''),
    engineVersion: typeof db.engineVersion === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(db.engineVersion) ? db.engineVersion : (problems.push(`${key('database')}.engineVersion must be like "17" or "17.5"`), ''),
    allocatedStorageGb: int(`${key('database')}.allocatedStorageGb`, db.allocatedStorageGb, 20, 65536),
    maxAllocatedStorageGb: int(`${key('database')}.maxAllocatedStorageGb`, db.maxAllocatedStorageGb ?? db.allocatedStorageGb, 20, 65536),
    readReplica: db.readReplica === true,
  };
  if (database.maxAllocatedStorageGb < database.allocatedStorageGb) problems.push(`${key('database')}.maxAllocatedStorageGb is below allocatedStorageGb`);

  const logRetentionDays = int(key('logRetentionDays'), config.getNumber('logRetentionDays') ?? 90, 1, 3653);

  const argocdHubPrincipalArn = config.get('argocdHubPrincipalArn');
  if (argocdHubPrincipalArn !== undefined && !/^arn:aws:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/.test(argocdHubPrincipalArn)) {
    problems.push(`${key('argocdHubPrincipalArn')} must be an IAM role ARN (is "${argocdHubPrincipalArn}")`);
  }

  let hub = false;
  try {
    hub = config.getBoolean('hub') ?? false;
  } catch {
    problems.push(`${key('hub')} must be true or false`);
  }
  if (hub && argocdHubPrincipalArn === undefined) {
    problems.push(`${key('hub')} is true, so ${key('argocdHubPrincipalArn')} must name the hub role this stack creates (arn:aws:iam::<this account>:role/<name>)`);
  }
  const argocdChartVersion = config.get('argocdChartVersion');
  if (argocdChartVersion !== undefined && !EXACT_VERSION.test(argocdChartVersion)) {
    problems.push(`${key('argocdChartVersion')} must be an exact chart version such as ${ARGOCD_CHART_VERSION}, not a range (is "${argocdChartVersion}")`);
  }

  const dbPassword = config.getSecret('dbPassword');
  if (dbPassword === undefined) {
    problems.push(`${key('dbPassword')} is not set: run \`pulumi config set --secret dbPassword\` in infra/ (it is stored encrypted)`);
  }

  if (problems.length) {
    throw new Error(
      `invalid configuration of stack "${environment}" (infra/Pulumi.${environment}.yaml):\n  - ${problems.join('\n  - ')}\n` +
        'fix the stack file, or run `pulumi config set <key> <value>` in infra/',
    );
  }
  return {
    environment,
    region,
    system,
    team,
    costCenter,
    vpcCidr,
    availabilityZones,
    natGateways: natGateways as 'single' | 'per-az',
    kubernetesVersion,
    clusterPublicAccessCidrs,
    nodeGroup,
    database,
    dbPassword: dbPassword!,
    logRetentionDays,
    ...(argocdHubPrincipalArn !== undefined && { argocdHubPrincipalArn }),
    hub,
    ...(argocdChartVersion !== undefined && { argocdChartVersion }),
  };
}
