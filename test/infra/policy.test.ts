/**
 * The policy pack's rules, offline: each passes on the resources the program registers (dev
 * stack under mocks) and fails on a copy of one of them built to break it. And the pack itself
 * loads the way `pulumi preview --policy-pack infra/policy` loads it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, rules, type PolicyResource, type Rule } from '../../infra/policy/rules.js';
import { repoRoot } from '../helpers.js';
import { runStack, type StackRun } from './harness.js';

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ env: 'dev' });
});

const rule = (name: string): Rule => {
  const r = rules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};

/** A deep copy of one of the program's resources, changed by `edit`. */
function broken(type: string, name: string | undefined, edit: (props: Record<string, unknown>) => void): PolicyResource {
  const original = run.resources.find((r) => r.type === type && (name === undefined || r.name === name));
  if (!original) throw new Error(`the program registers no ${type} ${name ?? ''}`);
  const props = structuredClone(original.props);
  edit(props);
  return { type, name: original.name, urn: original.urn, props };
}

/** The program's resources with `replacement` in place of the resource of the same urn, or without some. */
function stackWith(replacement?: PolicyResource, drop: (r: PolicyResource) => boolean = () => false): PolicyResource[] {
  return run.resources.filter((r) => !drop(r)).map((r) => (replacement && r.urn === replacement.urn ? replacement : r));
}

function violations(name: string, resources: PolicyResource[]): string[] {
  return evaluate(resources, [rule(name)]).map((v) => v.message);
}

const setTrust = (edit: (statement: Record<string, unknown>) => void) =>
  broken('aws:iam/role:Role', 'irsa-orders-api', (p) => {
    const doc = JSON.parse(String(p.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
    edit(doc.Statement[0]!);
    p.assumeRolePolicy = JSON.stringify(doc);
  });
const setPodTrust = (edit: (statement: Record<string, unknown>) => void) =>
  broken('aws:iam/role:Role', 'irsa-invoice-report', (p) => {
    const doc = JSON.parse(String(p.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
    edit(doc.Statement[0]!);
    p.assumeRolePolicy = JSON.stringify(doc);
  });
const podEquals = (s: Record<string, unknown>) => (s.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
/** A Helm release of Argo CD like the hub stack's, changed by `edit`. */
function argocdRelease(edit: (props: Record<string, unknown>) => void): PolicyResource {
  const props: Record<string, unknown> = { chart: 'argo-cd', version: '7.7.0', repositoryOpts: { repo: 'https://argoproj.github.io/argo-helm' }, values: { server: { service: { type: 'ClusterIP' } } } };
  edit(props);
  return { type: 'kubernetes:helm.sh/v3:Release', name: 'hub-argocd', urn: 'urn:pulumi:dev::gitops-bridge-infra::kubernetes:helm.sh/v3:Release::hub-argocd', props };
}
const conditionOf = (s: Record<string, unknown>) => s.Condition as Record<string, Record<string, unknown>>;
const subKey = (s: Record<string, unknown>) => Object.keys(conditionOf(s).StringEquals!).find((k) => k.endsWith(':sub'))!;

describe('policy rules on the program', () => {
  it('has the rules the platform promises', () => {
    expect(rules.map((r) => r.name)).toEqual([
      'encryption-at-rest',
      'no-public-buckets',
      'required-tags',
      'irsa-trust-single-service-account',
      'pod-identity-trust-single-service-account',
      'no-wildcard-iam-actions',
      'database-hardening',
      'helm-chart-version-pinned',
      'argocd-server-not-public',
    ]);
    for (const r of rules) expect(r.enforcementLevel).toBe('mandatory');
  });

  it.each(rules.map((r) => r.name))('%s passes on every resource the program registers', (name) => {
    expect(violations(name, run.resources)).toEqual([]);
  });
});

describe('each rule fails on a resource built to break it', () => {
  const cases: [string, string, () => PolicyResource[], RegExp][] = [
    // encryption at rest
    ['encryption-at-rest', 'RDS without storage encryption', () => stackWith(broken('aws:rds/instance:Instance', 'orders-db', (p) => (p.storageEncrypted = false))), /storageEncrypted/],
    ['encryption-at-rest', 'EKS without secrets encryption', () => stackWith(broken('aws:eks/cluster:Cluster', undefined, (p) => delete p.encryptionConfig)), /envelope-encrypt/],
    ['encryption-at-rest', 'EKS encrypting nothing', () => stackWith(broken('aws:eks/cluster:Cluster', undefined, (p) => ((p.encryptionConfig as { resources: string[] }).resources = []))), /secrets/],
    [
      'encryption-at-rest',
      'S3 default encryption off',
      () => stackWith(broken('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', undefined, (p) => (p.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'none' } }]))),
      /sseAlgorithm/,
    ],
    ['encryption-at-rest', 'a bucket with no encryption configuration', () => stackWith(undefined, (r) => r.type.startsWith('aws:s3/bucketServerSideEncryptionConfiguration')), /has no server-side encryption configuration/],
    ['encryption-at-rest', 'unencrypted node volumes', () => stackWith(broken('aws:ec2/launchTemplate:LaunchTemplate', undefined, (p) => ((p.blockDeviceMappings as { ebs: { encrypted: string } }[])[0]!.ebs.encrypted = 'false'))), /EBS/],
    ['encryption-at-rest', 'an unencrypted queue', () => stackWith(broken('aws:sqs/queue:Queue', 'orders-queue', (p) => (p.sqsManagedSseEnabled = false))), /encrypted/],
    // public buckets
    ['no-public-buckets', 'a public access block with public policies allowed', () => stackWith(broken('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', undefined, (p) => (p.blockPublicPolicy = false))), /blockPublicPolicy/],
    ['no-public-buckets', 'a bucket without a public access block', () => stackWith(undefined, (r) => r.type === 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'), /has no public access block/],
    ['no-public-buckets', 'a public-read ACL', () => stackWith(broken('aws:s3/bucket:Bucket', undefined, (p) => (p.acl = 'public-read'))), /public-read/],
    // tags
    ['required-tags', 'a subnet without cost-center', () => stackWith(broken('aws:ec2/subnet:Subnet', 'network-private-eu-west-1a', (p) => delete (p.tags as Record<string, string>)['cost-center'])), /cost-center/],
    ['required-tags', 'a VPC with no tags at all', () => stackWith(broken('aws:ec2/vpc:Vpc', undefined, (p) => delete p.tags)), /environment, managed-by, team, cost-center/],
    ['required-tags', 'an empty team tag', () => stackWith(broken('aws:iam/role:Role', 'irsa-orders-api', (p) => ((p.tags as Record<string, string>).team = ''))), /team/],
    // IRSA trust
    ['irsa-trust-single-service-account', 'a wildcard ServiceAccount', () => stackWith(setTrust((s) => (conditionOf(s).StringEquals![subKey(s)] = 'system:serviceaccount:orders:*'))), /exactly one ServiceAccount/],
    [
      'irsa-trust-single-service-account',
      'StringLike on the subject',
      () =>
        stackWith(
          setTrust((s) => {
            const c = conditionOf(s);
            c.StringLike = { [subKey(s)]: c.StringEquals![subKey(s)] };
            delete c.StringEquals![subKey(s)];
          }),
        ),
      /StringLike/,
    ],
    ['irsa-trust-single-service-account', 'two ServiceAccounts', () => stackWith(setTrust((s) => (conditionOf(s).StringEquals![subKey(s)] = ['system:serviceaccount:orders:orders-api', 'system:serviceaccount:orders:orders-worker']))), /exactly one ServiceAccount/],
    ['irsa-trust-single-service-account', 'no audience condition', () => stackWith(setTrust((s) => delete conditionOf(s).StringEquals![subKey(s).replace(/:sub$/, ':aud')])), /aud = sts.amazonaws.com/],
    ['irsa-trust-single-service-account', 'no condition at all', () => stackWith(setTrust((s) => delete s.Condition)), /exactly one subject/],
    ['irsa-trust-single-service-account', 'a condition on another provider', () => stackWith(setTrust((s) => {
      const eq = conditionOf(s).StringEquals!;
      const k = subKey(s);
      eq[k.replace('/id/', '/id/OTHER')] = eq[k];
      delete eq[k];
    })), /not of the trusted provider/],
    ['irsa-trust-single-service-account', 'sts:* for web identities', () => stackWith(setTrust((s) => (s.Action = 'sts:*'))), /only sts:AssumeRoleWithWebIdentity/],
    // wildcard actions
    // EKS Pod Identity
    ['pod-identity-trust-single-service-account', 'a second principal', () => stackWith(setPodTrust((s) => (s.Principal = { Service: ['pods.eks.amazonaws.com', 'ec2.amazonaws.com'] }))), /only the pods.eks.amazonaws.com service \(also trusts Service ec2.amazonaws.com\)/],
    ['pod-identity-trust-single-service-account', 'an AWS principal next to the service', () => stackWith(setPodTrust((s) => (s.Principal = { Service: 'pods.eks.amazonaws.com', AWS: 'arn:aws:iam::123456789012:root' }))), /also trusts AWS arn:aws:iam::123456789012:root/],
    ['pod-identity-trust-single-service-account', 'no sts:TagSession', () => stackWith(setPodTrust((s) => (s.Action = 'sts:AssumeRole'))), /exactly sts:AssumeRole and sts:TagSession/],
    ['pod-identity-trust-single-service-account', 'sts:*', () => stackWith(setPodTrust((s) => (s.Action = ['sts:*']))), /allows sts:\*/],
    ['pod-identity-trust-single-service-account', 'any ServiceAccount of the namespace', () => stackWith(setPodTrust((s) => (podEquals(s)['aws:RequestTag/kubernetes-service-account'] = '*'))), /kubernetes-service-account to one value/],
    ['pod-identity-trust-single-service-account', 'no condition', () => stackWith(setPodTrust((s) => delete s.Condition)), /eks-cluster-name.*\n.*kubernetes-namespace/],
    ['pod-identity-trust-single-service-account', 'a role without its association', () => stackWith(undefined, (r) => r.type === 'aws:eks/podIdentityAssociation:PodIdentityAssociation'), /has 0 PodIdentityAssociations; it needs exactly one/],
    ['pod-identity-trust-single-service-account', 'an association for another ServiceAccount', () => stackWith(broken('aws:eks/podIdentityAssociation:PodIdentityAssociation', 'pod-identity-invoice-report', (p) => (p.serviceAccount = 'default'))), /serviceAccount "default", but the trust .* only lets "invoice-report" in/],
    ['pod-identity-trust-single-service-account', 'session tags off', () => stackWith(broken('aws:eks/podIdentityAssociation:PodIdentityAssociation', 'pod-identity-invoice-report', (p) => (p.disableSessionTags = true))), /session tags on/],
    [
      'pod-identity-trust-single-service-account',
      'an association naming an IRSA role',
      () => stackWith(broken('aws:eks/podIdentityAssociation:PodIdentityAssociation', 'pod-identity-invoice-report', (p) => (p.roleArn = run.one('aws:iam/role:Role', 'irsa-orders-api').props.arn))),
      /names Role "irsa-orders-api", which does not trust pods.eks.amazonaws.com/,
    ],
    ['no-wildcard-iam-actions', 's3:* on an app role', () => stackWith(broken('aws:iam/rolePolicy:RolePolicy', 'irsa-orders-api', (p) => (p.policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] })))), /s3:\*/],
    ['no-wildcard-iam-actions', '"*" as a single action', () => stackWith(broken('aws:iam/rolePolicy:RolePolicy', 'irsa-orders-worker', (p) => (p.policy = JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })))), /wildcard action \*/],
    ['no-wildcard-iam-actions', 'a prefix wildcard', () => stackWith(broken('aws:iam/rolePolicy:RolePolicy', 'irsa-invoice-report', (p) => (p.policy = JSON.stringify({ Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:Get*'], Resource: ['*'] }] })))), /statement Read allows the wildcard action s3:Get\*/],
    ['no-wildcard-iam-actions', 'NotAction', () => stackWith(broken('aws:iam/rolePolicy:RolePolicy', 'irsa-external-dns', (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: 'Allow', NotAction: ['iam:*'], Resource: ['*'] }] })))), /NotAction/],
    // databases
    ['database-hardening', 'a public database', () => stackWith(broken('aws:rds/instance:Instance', 'orders-db', (p) => (p.publiclyAccessible = true))), /publicly accessible/],
    ['database-hardening', 'one-day backups', () => stackWith(broken('aws:rds/instance:Instance', 'orders-db', (p) => (p.backupRetentionPeriod = 1))), /7 days/],
    // Helm and the Argo CD hub (the dev stack is no hub: a release as the hub stack makes it; hub.test.ts breaks the program's own)
    ['helm-chart-version-pinned', 'a chart version range', () => [...stackWith(), argocdRelease((p) => (p.version = '>=7.0.0'))], /exact chart version, not ">=7\.0\.0"/],
    ['argocd-server-not-public', 'a LoadBalancer Argo CD server', () => [...stackWith(), argocdRelease((p) => (p.values = { server: { service: { type: 'LoadBalancer' } } }))], /LoadBalancer/],
  ];

  it.each(cases)('%s: %s', (name, _what, resources, message) => {
    const found = violations(name, resources());
    expect(found.length, 'violations').toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(message);
  });

  it('every rule has a breaking case', () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(rules.map((r) => r.name)));
  });

  it('an exact release, a local chart and another chart\'s LoadBalancer are fine', () => {
    expect(evaluate([argocdRelease(() => undefined), argocdRelease((p) => (p.version = 'v2.1.0-rc.1+build.5'))], [rule('helm-chart-version-pinned'), rule('argocd-server-not-public')])).toEqual([]);
    expect(violations('helm-chart-version-pinned', [argocdRelease((p) => ((p.chart = './charts/argo-cd'), delete p.version))])).toEqual([]);
    expect(violations('argocd-server-not-public', [argocdRelease((p) => ((p.chart = 'ingress-nginx'), (p.values = { server: { service: { type: 'LoadBalancer' } } })))])).toEqual([]);
  });

  it('a Deny statement with a wildcard is fine (the buckets deny plain HTTP for s3:*)', () => {
    const denyAll = broken('aws:iam/rolePolicy:RolePolicy', 'irsa-orders-api', (p) => (p.policy = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] })));
    expect(violations('no-wildcard-iam-actions', stackWith(denyAll))).toEqual([]);
  });

  it('roles assumed by AWS principals, not OIDC tokens, are outside the IRSA rule', () => {
    const hub = run.resources.find((r) => r.name === 'argocd-hub' && r.type === 'aws:iam/role:Role')!;
    expect(JSON.parse(String(hub.props.assumeRolePolicy)).Statement[0].Principal.AWS).toMatch(/^arn:aws:iam::/);
    expect(violations('irsa-trust-single-service-account', [hub])).toEqual([]);
  });
});

describe('the policy pack', () => {
  it('loads under the runner `pulumi preview --policy-pack infra/policy` uses, and starts serving', async () => {
    // Pulumi runs a Node.js policy pack with @pulumi/pulumi's run-policy-pack (ts-node, CommonJS)
    // in the pack's directory; the pack answers with the port of its gRPC server.
    const port = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, 'node_modules/@pulumi/pulumi/cmd/run-policy-pack'), '127.0.0.1:1', '.'], {
        cwd: join(repoRoot, 'infra/policy'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`no port after 20 s\n${out}\n${err}`));
      }, 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          child.kill();
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += String(d)));
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (!/^\d+\s*$/m.test(out)) reject(new Error(`policy pack exited with ${code}\n${out}\n${err}`));
      });
    });
    expect(Number(port)).toBeGreaterThan(0);
  });
});
