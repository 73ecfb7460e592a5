/**
 * The infrastructure's security rules as plain functions over resources (type, name, props), so
 * the same code runs in the policy pack (`pulumi preview --policy-pack infra/policy`) and in the
 * offline tests against the resources the program registers under mocks.
 *
 * A `resource` check sees one resource and runs before it is created or changed; a `stack`
 * check sees every resource and covers what one resource cannot show (a bucket without its
 * public access block). A rule returns the problems it found; none means compliant.
 *
 * This directory is a CommonJS package (Pulumi loads policy packs with require), so imports
 * here are extensionless and nothing from the ES-module project is imported at run time.
 */

export interface PolicyResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  /** Resources each input property depends on, when known (stack checks in a real run). */
  propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  message: string;
  urn?: string;
}

export interface Rule {
  name: string;
  description: string;
  enforcementLevel: 'mandatory' | 'advisory';
  resource?: (r: PolicyResource) => string[];
  stack?: (resources: PolicyResource[]) => Violation[];
}

export const REQUIRED_TAGS = ['environment', 'managed-by', 'team', 'cost-center'];

const T = {
  bucket: ['aws:s3/bucket:Bucket', 'aws:s3/bucketV2:BucketV2'],
  bucketSse: ['aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2'],
  bucketPab: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketAcl: ['aws:s3/bucketAcl:BucketAcl', 'aws:s3/bucketAclV2:BucketAclV2'],
  rdsInstance: 'aws:rds/instance:Instance',
  rdsCluster: 'aws:rds/cluster:Cluster',
  eks: 'aws:eks/cluster:Cluster',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  ebsVolume: 'aws:ebs/volume:Volume',
  sqs: 'aws:sqs/queue:Queue',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  policy: 'aws:iam/policy:Policy',
  podIdentityAssociation: 'aws:eks/podIdentityAssociation:PodIdentityAssociation',
};

/**
 * Types that must carry the tags even when a resource sets none (then `tags` is absent from its
 * properties). Any other resource with a `tags` or `tagsAll` property is checked as well.
 */
export const TAGGABLE_TYPES = new Set([
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/natGateway:NatGateway',
  'aws:ec2/eip:Eip',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:ec2/launchTemplate:LaunchTemplate',
  'aws:eks/cluster:Cluster',
  'aws:eks/nodeGroup:NodeGroup',
  'aws:iam/role:Role',
  'aws:iam/openIdConnectProvider:OpenIdConnectProvider',
  'aws:kms/key:Key',
  'aws:rds/instance:Instance',
  'aws:rds/subnetGroup:SubnetGroup',
  'aws:rds/parameterGroup:ParameterGroup',
  'aws:s3/bucket:Bucket',
  'aws:sqs/queue:Queue',
  'aws:cloudwatch/logGroup:LogGroup',
  'aws:acm/certificate:Certificate',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const oneOf = (type: string, types: string | string[]) => list(types).includes(type);
const label = (r: PolicyResource) => `${r.type.split(':').pop()} "${r.name}"`;

/** An IAM policy document from a property that holds JSON text or an object; undefined if neither. */
export function policyDocumentOf(value: unknown): { Statement: Record<string, unknown>[] } | undefined {
  let doc: unknown = value;
  if (typeof value === 'string') {
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!isObject(doc)) return undefined;
  return { Statement: list(doc.Statement as Record<string, unknown> | Record<string, unknown>[]).filter(isObject) };
}

// ---------------------------------------------------------------------------------------------
// Encryption at rest

const SSE_ALGORITHMS = ['aws:kms', 'aws:kms:dsse', 'AES256'];

function encryptionAtRest(r: PolicyResource): string[] {
  const p = r.props;
  if (r.type === T.rdsInstance || r.type === T.rdsCluster) {
    return p.storageEncrypted === true ? [] : [`${label(r)} must set storageEncrypted: true`];
  }
  if (r.type === T.eks) {
    const cfg = list(p.encryptionConfig as Record<string, unknown> | Record<string, unknown>[] | undefined)[0];
    const keyArn = isObject(cfg) && isObject(cfg.provider) ? cfg.provider.keyArn : undefined;
    const resources = isObject(cfg) ? list(cfg.resources as string[] | undefined) : [];
    if (typeof keyArn !== 'string' || keyArn === '' || !resources.includes('secrets')) {
      return [`${label(r)} must envelope-encrypt Kubernetes secrets with a KMS key (encryptionConfig: { provider: { keyArn }, resources: ["secrets"] })`];
    }
    return [];
  }
  if (oneOf(r.type, T.bucketSse)) {
    const rules = list(p.rules as Record<string, unknown>[] | undefined);
    const algorithms = rules.map((x) => (isObject(x.applyServerSideEncryptionByDefault) ? x.applyServerSideEncryptionByDefault.sseAlgorithm : undefined));
    return algorithms.length > 0 && algorithms.every((a) => typeof a === 'string' && SSE_ALGORITHMS.includes(a))
      ? []
      : [`${label(r)} must set applyServerSideEncryptionByDefault.sseAlgorithm to one of ${SSE_ALGORITHMS.join(', ')}`];
  }
  if (r.type === T.launchTemplate) {
    const bad = list(p.blockDeviceMappings as Record<string, unknown>[] | undefined).filter((m) => isObject(m.ebs) && String(m.ebs.encrypted) !== 'true');
    return bad.length ? [`${label(r)} must encrypt its EBS volumes (blockDeviceMappings[].ebs.encrypted: "true")`] : [];
  }
  if (r.type === T.ebsVolume) {
    return p.encrypted === true ? [] : [`${label(r)} must set encrypted: true`];
  }
  if (r.type === T.sqs) {
    return p.sqsManagedSseEnabled === true || (typeof p.kmsMasterKeyId === 'string' && p.kmsMasterKeyId !== '')
      ? []
      : [`${label(r)} must be encrypted (sqsManagedSseEnabled: true or a kmsMasterKeyId)`];
  }
  return [];
}

/** Whether `config` (an SSE configuration or public access block) belongs to `bucket`. */
function belongsTo(config: PolicyResource, bucket: PolicyResource): boolean {
  if ((config.propertyDependencies?.bucket ?? []).includes(bucket.urn)) return true;
  const ref = config.props.bucket;
  return typeof ref === 'string' && ref !== '' && (ref === bucket.props.bucket || ref === bucket.props.id);
}

function bucketsWithout(resources: PolicyResource[], companion: string | string[], ok: (c: PolicyResource) => boolean, what: string): Violation[] {
  const companions = resources.filter((c) => oneOf(c.type, companion) && ok(c));
  return resources
    .filter((b) => oneOf(b.type, T.bucket))
    .filter((b) => !companions.some((c) => belongsTo(c, b)))
    .map((b) => ({ message: `${label(b)} has no ${what}`, urn: b.urn }));
}

// ---------------------------------------------------------------------------------------------
// No public buckets

const PAB_FLAGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

function noPublicBuckets(r: PolicyResource): string[] {
  if (r.type === T.bucketPab) {
    const off = PAB_FLAGS.filter((f) => r.props[f] !== true);
    return off.length ? [`${label(r)} must set ${off.join(', ')} to true`] : [];
  }
  if (oneOf(r.type, T.bucket) || oneOf(r.type, T.bucketAcl)) {
    const acl = r.props.acl;
    return typeof acl === 'string' && PUBLIC_ACLS.includes(acl) ? [`${label(r)} must not use the ${acl} ACL`] : [];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Required tags

function requiredTags(r: PolicyResource): string[] {
  const p = r.props;
  if (!r.type.startsWith('aws:')) return [];
  if (!TAGGABLE_TYPES.has(r.type) && !('tags' in p) && !('tagsAll' in p)) return [];
  const tags = { ...(isObject(p.tagsAll) ? p.tagsAll : {}), ...(isObject(p.tags) ? p.tags : {}) };
  const missing = REQUIRED_TAGS.filter((k) => typeof tags[k] !== 'string' || tags[k] === '');
  return missing.length ? [`${label(r)} is missing the tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`] : [];
}

// ---------------------------------------------------------------------------------------------
// IRSA trust scoped to one ServiceAccount

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function isWebIdentity(statement: Record<string, unknown>): boolean {
  const actions = list(statement.Action as string | string[] | undefined);
  const principal = isObject(statement.Principal) ? statement.Principal : {};
  return (
    actions.some((a) => a === 'sts:AssumeRoleWithWebIdentity' || a === 'sts:*' || a === '*') &&
    (principal.Federated !== undefined || actions.includes('sts:AssumeRoleWithWebIdentity'))
  );
}

/** Problems of one trust statement that lets a web identity (an OIDC token) assume the role. */
export function webIdentityTrustProblems(statement: Record<string, unknown>): string[] {
  if (statement.Effect !== 'Allow') return [];
  const problems: string[] = [];
  const actions = list(statement.Action as string | string[] | undefined);
  if (actions.some((a) => a !== 'sts:AssumeRoleWithWebIdentity')) problems.push(`allows ${actions.join(', ')}; only sts:AssumeRoleWithWebIdentity`);
  const federated = list((isObject(statement.Principal) ? statement.Principal.Federated : undefined) as string | string[] | undefined);
  if (federated.length !== 1 || !/^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\/./.test(federated[0]!)) {
    problems.push('must trust exactly one IAM OIDC provider (Principal.Federated)');
  }
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  for (const operator of Object.keys(condition)) {
    if (operator !== 'StringEquals') {
      const keys = isObject(condition[operator]) ? Object.keys(condition[operator] as object) : [];
      if (keys.some((k) => k.endsWith(':sub') || k.endsWith(':aud'))) problems.push(`matches the token with ${operator}; use StringEquals`);
    }
  }
  const equals = isObject(condition.StringEquals) ? condition.StringEquals : {};
  const subKeys = Object.keys(equals).filter((k) => k.endsWith(':sub'));
  const audKeys = Object.keys(equals).filter((k) => k.endsWith(':aud'));
  if (subKeys.length !== 1) {
    problems.push('must bind exactly one subject with StringEquals on <oidc provider>:sub');
  } else {
    const subjects = list(equals[subKeys[0]!] as string | string[]);
    if (subjects.length !== 1 || typeof subjects[0] !== 'string' || !SERVICE_ACCOUNT_SUBJECT.test(subjects[0])) {
      problems.push(`must trust exactly one ServiceAccount, system:serviceaccount:<namespace>:<name> without wildcards (is ${JSON.stringify(equals[subKeys[0]!])})`);
    }
  }
  const audiences = audKeys.length === 1 ? list(equals[audKeys[0]!] as string | string[]) : [];
  if (audiences.length !== 1 || audiences[0] !== 'sts.amazonaws.com') problems.push('must require StringEquals <oidc provider>:aud = sts.amazonaws.com');
  const provider = federated[0]?.replace(/^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\//, '');
  for (const k of [...subKeys, ...audKeys]) {
    if (provider !== undefined && k.slice(0, k.lastIndexOf(':')) !== provider) problems.push(`condition key ${k} is not of the trusted provider ${provider}`);
  }
  return problems;
}

function irsaTrustScoped(r: PolicyResource): string[] {
  if (r.type !== T.role) return [];
  const doc = policyDocumentOf(r.props.assumeRolePolicy);
  if (!doc) return r.props.assumeRolePolicy === undefined ? [] : [`${label(r)} has an unreadable assumeRolePolicy`];
  return doc.Statement.filter(isWebIdentity).flatMap((s) => webIdentityTrustProblems(s).map((p) => `${label(r)}: trust statement ${String(s.Sid ?? '')} ${p}`.replace('  ', ' ')));
}

// ---------------------------------------------------------------------------------------------
// EKS Pod Identity trust scoped to one ServiceAccount, and associated

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];
/** Session tags EKS Pod Identity sets, each of which the trust must pin to one value. */
const POD_IDENTITY_TAGS = ['eks-cluster-name', 'kubernetes-namespace', 'kubernetes-service-account'];

function trustsPodIdentity(statement: Record<string, unknown>): boolean {
  const principal = isObject(statement.Principal) ? statement.Principal : {};
  return statement.Effect === 'Allow' && list(principal.Service as string | string[] | undefined).includes(POD_IDENTITY_SERVICE);
}

/** Problems of one trust statement that lets EKS Pod Identity assume the role. */
export function podIdentityTrustProblems(statement: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const principal = isObject(statement.Principal) ? statement.Principal : {};
  const others = Object.entries(principal).flatMap(([kind, v]) => list(v as string | string[]).filter((p) => !(kind === 'Service' && p === POD_IDENTITY_SERVICE)).map((p) => `${kind} ${p}`));
  if (others.length) problems.push(`must trust only the ${POD_IDENTITY_SERVICE} service (also trusts ${others.join(', ')})`);
  const actions = list(statement.Action as string | string[] | undefined);
  if (actions.length !== POD_IDENTITY_ACTIONS.length || !POD_IDENTITY_ACTIONS.every((a) => actions.includes(a))) {
    problems.push(`allows ${actions.join(', ') || 'nothing'}; exactly ${POD_IDENTITY_ACTIONS.join(' and ')}`);
  }
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  const equals = isObject(condition.StringEquals) ? condition.StringEquals : {};
  for (const tag of POD_IDENTITY_TAGS) {
    const values = list(equals[`aws:RequestTag/${tag}`] as string | string[] | undefined);
    if (values.length !== 1 || typeof values[0] !== 'string' || values[0] === '' || /[*?]/.test(values[0])) {
      problems.push(`must pin StringEquals aws:RequestTag/${tag} to one value without wildcards`);
    }
  }
  return problems;
}

/** The one value a Pod Identity trust pins a session tag to. */
const pinned = (doc: { Statement: Record<string, unknown>[] }, tag: string): unknown => {
  const s = doc.Statement.find(trustsPodIdentity);
  const equals = s && isObject(s.Condition) && isObject(s.Condition.StringEquals) ? s.Condition.StringEquals : {};
  return list(equals[`aws:RequestTag/${tag}`] as string | string[] | undefined)[0];
};

function podIdentityTrustScoped(r: PolicyResource): string[] {
  if (r.type === T.podIdentityAssociation) {
    return r.props.disableSessionTags === true ? [`${label(r)} must keep session tags on (its role's trust reads them)`] : [];
  }
  if (r.type !== T.role) return [];
  const doc = policyDocumentOf(r.props.assumeRolePolicy);
  if (!doc) return [];
  return doc.Statement.filter(trustsPodIdentity).flatMap((s) => podIdentityTrustProblems(s).map((p) => `${label(r)}: trust statement ${String(s.Sid ?? '')} ${p}`.replace('  ', ' ')));
}

/** Whether `association` names `role`: by dependency (a real run) or by ARN (known values). */
function associates(association: PolicyResource, role: PolicyResource): boolean {
  if ((association.propertyDependencies?.roleArn ?? []).includes(role.urn)) return true;
  const arn = association.props.roleArn;
  return typeof arn === 'string' && arn !== '' && arn === role.props.arn;
}

/**
 * Every role that trusts EKS Pod Identity has exactly one association, for the namespace and
 * ServiceAccount its trust pins (a role without one is dead weight; with two, one of them is
 * refused by the trust at run time), and every association names a role that trusts the service.
 */
function podIdentityAssociated(resources: PolicyResource[]): Violation[] {
  const associations = resources.filter((r) => r.type === T.podIdentityAssociation);
  const out: Violation[] = [];
  const podRoles: PolicyResource[] = [];
  for (const role of resources.filter((r) => r.type === T.role)) {
    const doc = policyDocumentOf(role.props.assumeRolePolicy);
    if (!doc || !doc.Statement.some(trustsPodIdentity)) continue;
    podRoles.push(role);
    const mine = associations.filter((a) => associates(a, role));
    if (mine.length !== 1) {
      out.push({ message: `${label(role)} trusts ${POD_IDENTITY_SERVICE} but has ${mine.length} PodIdentityAssociation${mine.length === 1 ? '' : 's'}; it needs exactly one`, urn: role.urn });
      continue;
    }
    const a = mine[0]!;
    for (const [prop, tag] of [['namespace', 'kubernetes-namespace'], ['serviceAccount', 'kubernetes-service-account']] as const) {
      const want = pinned(doc, tag);
      if (typeof a.props[prop] === 'string' && a.props[prop] !== want) {
        out.push({ message: `${label(a)} is for ${prop} "${String(a.props[prop])}", but the trust of ${label(role)} only lets "${String(want)}" in`, urn: a.urn });
      }
    }
  }
  const roles = resources.filter((r) => r.type === T.role);
  for (const a of associations) {
    const target = roles.find((role) => associates(a, role));
    if (target && !podRoles.includes(target)) {
      out.push({ message: `${label(a)} names ${label(target)}, which does not trust ${POD_IDENTITY_SERVICE}`, urn: a.urn });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// No wildcard IAM actions

/** Allow statements whose actions contain a wildcard (or that use NotAction). */
export function wildcardActions(doc: { Statement: Record<string, unknown>[] }): string[] {
  return doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => {
    if (s.NotAction !== undefined) return [`statement ${String(s.Sid ?? '')} allows NotAction (everything else)`.replace('  ', ' ')];
    return list(s.Action as string | string[] | undefined)
      .filter((a) => typeof a === 'string' && a.includes('*'))
      .map((a) => `statement ${String(s.Sid ?? '')} allows the wildcard action ${a}`.replace('  ', ' '));
  });
}

function noWildcardActions(r: PolicyResource): string[] {
  const docs: unknown[] =
    r.type === T.rolePolicy || r.type === T.policy
      ? [r.props.policy]
      : r.type === T.role
        ? list(r.props.inlinePolicies as Record<string, unknown>[] | undefined).map((p) => (isObject(p) ? p.policy : undefined))
        : [];
  return docs.flatMap((d) => {
    const doc = policyDocumentOf(d);
    return doc ? wildcardActions(doc).map((m) => `${label(r)}: ${m}; list the actions`) : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Databases

function databaseHardening(r: PolicyResource): string[] {
  if (r.type !== T.rdsInstance) return [];
  const problems: string[] = [];
  if (r.props.publiclyAccessible === true) problems.push(`${label(r)} must not be publicly accessible`);
  const replica = typeof r.props.replicateSourceDb === 'string' && r.props.replicateSourceDb !== '';
  if (!replica && !(typeof r.props.backupRetentionPeriod === 'number' && r.props.backupRetentionPeriod >= 7)) {
    problems.push(`${label(r)} must keep automated backups for at least 7 days (backupRetentionPeriod)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Helm releases and the Argo CD hub

const HELM_RELEASE = 'kubernetes:helm.sh/v3:Release';
const K8S_SERVICE = 'kubernetes:core/v1:Service';
/** An exact chart version (semver, optional v): no range, no x, no latest. */
export const EXACT_CHART_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** A chart from a local directory or archive is pinned by the repository that holds it. */
const isLocalChart = (chart: unknown) => typeof chart === 'string' && /^(\.{1,2}\/|\/)|\.tgz$/.test(chart);

function helmChartPinned(r: PolicyResource): string[] {
  if (r.type !== HELM_RELEASE || isLocalChart(r.props.chart)) return [];
  const version = r.props.version;
  if (typeof version !== 'string' || version === '') return [`${label(r)} must pin its chart version (version: an exact version such as 7.7.0); without it Helm installs whatever is latest`];
  return EXACT_CHART_VERSION.test(version) ? [] : [`${label(r)} must pin an exact chart version, not "${version}"`];
}

const isArgocdChart = (chart: unknown) => typeof chart === 'string' && /(^|\/)argo-cd(-[0-9][^/]*\.tgz)?$/.test(chart);

function argocdServerNotPublic(r: PolicyResource): string[] {
  if (r.type === HELM_RELEASE && isArgocdChart(r.props.chart)) {
    const values = isObject(r.props.values) ? r.props.values : {};
    const server = isObject(values.server) ? values.server : {};
    const service = isObject(server.service) ? server.service : {};
    return service.type === 'LoadBalancer'
      ? [`${label(r)} exposes the Argo CD server through a LoadBalancer Service (values server.service.type); keep ClusterIP and reach it with kubectl port-forward or an internal Ingress`]
      : [];
  }
  if (r.type === K8S_SERVICE) {
    const metadata = isObject(r.props.metadata) ? r.props.metadata : {};
    const labels = isObject(metadata.labels) ? metadata.labels : {};
    const spec = isObject(r.props.spec) ? r.props.spec : {};
    const argocdServer = labels['app.kubernetes.io/name'] === 'argocd-server' || (typeof metadata.name === 'string' && /(^|-)argocd-server$/.test(metadata.name));
    return argocdServer && spec.type === 'LoadBalancer' ? [`${label(r)} exposes the Argo CD server through a LoadBalancer Service; use ClusterIP`] : [];
  }
  return [];
}

export const rules: Rule[] = [
  {
    name: 'encryption-at-rest',
    description: 'Databases, EKS secrets, S3 buckets, node volumes and queues are encrypted at rest.',
    enforcementLevel: 'mandatory',
    resource: encryptionAtRest,
    stack: (rs) => bucketsWithout(rs, T.bucketSse, (c) => encryptionAtRest(c).length === 0, 'server-side encryption configuration'),
  },
  {
    name: 'no-public-buckets',
    description: 'Every S3 bucket has all four public access blocks on and no public ACL.',
    enforcementLevel: 'mandatory',
    resource: noPublicBuckets,
    stack: (rs) => bucketsWithout(rs, T.bucketPab, (c) => noPublicBuckets(c).length === 0, 'public access block with all four settings on'),
  },
  {
    name: 'required-tags',
    description: `Every taggable resource carries the tags ${REQUIRED_TAGS.join(', ')}.`,
    enforcementLevel: 'mandatory',
    resource: requiredTags,
  },
  {
    name: 'irsa-trust-single-service-account',
    description: 'A role assumable with an OIDC token trusts one IAM OIDC provider for exactly one ServiceAccount (StringEquals on sub, no wildcards) with the STS audience.',
    enforcementLevel: 'mandatory',
    resource: irsaTrustScoped,
  },
  {
    name: 'pod-identity-trust-single-service-account',
    description: `A role trusting ${POD_IDENTITY_SERVICE} trusts only it, with sts:AssumeRole and sts:TagSession, pins the cluster, namespace and ServiceAccount session tags, and has exactly one PodIdentityAssociation for that namespace and ServiceAccount (session tags on).`,
    enforcementLevel: 'mandatory',
    resource: podIdentityTrustScoped,
    stack: podIdentityAssociated,
  },
  {
    name: 'no-wildcard-iam-actions',
    description: 'Inline IAM policies (the app roles\' among them) list their actions: no "*", "s3:*" or "s3:Get*", no NotAction.',
    enforcementLevel: 'mandatory',
    resource: noWildcardActions,
  },
  {
    name: 'database-hardening',
    description: 'RDS instances are private and keep automated backups for at least 7 days.',
    enforcementLevel: 'mandatory',
    resource: databaseHardening,
  },
  {
    name: 'helm-chart-version-pinned',
    description: 'Every Helm release pins an exact chart version (no range, no latest).',
    enforcementLevel: 'mandatory',
    resource: helmChartPinned,
  },
  {
    name: 'argocd-server-not-public',
    description: "Argo CD's server is not exposed through a LoadBalancer Service.",
    enforcementLevel: 'mandatory',
    resource: argocdServerNotPublic,
  },
];

export interface RuleViolation extends Violation {
  rule: string;
}

/** Runs every rule over a set of resources, as the policy pack does over a stack. */
export function evaluate(resources: PolicyResource[], only: Rule[] = rules): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const rule of only) {
    if (rule.resource) for (const r of resources) for (const message of rule.resource(r)) out.push({ rule: rule.name, message, urn: r.urn });
    if (rule.stack) for (const v of rule.stack(resources)) out.push({ rule: rule.name, ...v });
  }
  return out;
}
