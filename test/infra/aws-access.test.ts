/** The pure reader of AWS access from the specs: what the infra program builds IRSA roles from. */
import { describe, expect, it } from 'vitest';
import { BridgeError, BridgeErrors } from '../../generators/core/errors.js';
import {
  environmentNames,
  irsaTrustPolicy,
  podIdentityTrustPolicy,
  policyDocument,
  readAwsAccess,
  resolveStatements,
  workloadExports,
} from '../../generators/load/aws-access.js';
import { readSources, type SourceSet } from '../../generators/workspace/inputs.js';
import { repoRoot } from '../helpers.js';

const fleet = () => readSources(repoRoot);

function withFiles(files: Record<string, string>, drop: string[] = []): SourceSet {
  const s = new Map(fleet());
  for (const f of drop) s.delete(f);
  for (const [k, v] of Object.entries(files)) s.set(k, v);
  return s;
}

const app = (name: string, extra: string) => `apiVersion: gitops-bridge.dev/v1alpha1
kind: App
metadata:
  name: ${name}
spec:
  team: t
  image: { repository: example/${name}, tag: "1.0" }
${extra}`;

function thrown(fn: () => unknown): BridgeError[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof BridgeError) return [e];
    if (e instanceof BridgeErrors) return e.errors;
    throw e;
  }
  throw new Error('expected an error');
}

describe('readAwsAccess on the example fleet', () => {
  it('lists the enabled addons and apps with AWS access, in every environment', () => {
    expect(environmentNames(fleet())).toEqual(['dev', 'prod', 'staging']);
    for (const env of ['dev', 'staging', 'prod']) {
      const access = readAwsAccess(fleet(), env);
      expect(access.workloads.map((w) => [w.name, w.source, w.namespace, w.serviceAccount, w.roleOutput, w.team])).toEqual([
        ['external-dns', 'addon', 'external-dns', 'external-dns', 'external_dns_iam_role_arn', 'platform'],
        ['invoice-report', 'app', 'invoice-report', 'invoice-report', 'invoice_report_iam_role_arn', 'finance'],
        ['orders-api', 'app', 'orders', 'orders-api', 'orders_api_iam_role_arn', 'orders'],
        ['orders-worker', 'app', 'orders', 'orders-worker', 'orders_worker_iam_role_arn', 'orders'],
        // A Kustomize addon: its aws-access.yaml, in the namespace its kustomization names.
        ['aws-load-balancer-controller', 'addon', 'aws-load-balancer-controller', 'aws-load-balancer-controller', 'aws_load_balancer_controller_iam_role_arn', 'platform'],
        // A hub addon: the role, namespace and ServiceAccount the upstream cert-manager ApplicationSet reads.
        ['cert-manager', 'addon', 'cert-manager', 'cert-manager', 'cert_manager_iam_role_arn', 'platform'],
      ]);
      expect(access.spec.domain).toMatch(/shop\.example\.com$/);
      expect(access.ingressHosts).toEqual([`orders-api.internal.${access.spec.domain}`, `www.${access.spec.domain}`]);
      // The hub's kind comes with it: the program admits that hub to the cluster.
      expect(access.argocd).toMatchObject({ file: 'manifests/argocd.yaml', spec: { hubType: 'self-managed' } });
    }
  });

  it('collects the bridge keys the statements reference, without resolving them', () => {
    const w = readAwsAccess(fleet(), 'dev').workloads.find((x) => x.name === 'orders-api')!;
    expect(w.bridgeReferences).toEqual(['orders_documents_bucket_arn']);
    expect(w.statements[0]!.resources).toEqual(['${bridge.orders_documents_bucket_arn}/*']);
    expect(w.files).toEqual(['manifests/apps/orders-api/app.yaml', 'manifests/apps/orders-api/overlays/dev.yaml']);
  });

  it('names the bridge keys of a workload: addons add namespace and service account', () => {
    const [dns, , api] = readAwsAccess(fleet(), 'prod').workloads;
    expect(workloadExports(dns!)).toEqual({ roleArn: 'external_dns_iam_role_arn', namespace: 'external_dns_namespace', serviceAccount: 'external_dns_service_account' });
    expect(workloadExports(api!)).toEqual({ roleArn: 'orders_api_iam_role_arn' });
  });
});

describe('readAwsAccess follows the specs', () => {
  it('merges overlays: an environment can change the statements, the namespace and the ServiceAccount', () => {
    const sources = withFiles({
      'manifests/apps/orders-api/overlays/staging.yaml': `apiVersion: gitops-bridge.dev/v1alpha1
kind: AppOverlay
metadata: { name: orders-api, environment: staging }
spec:
  namespace: orders-staging
  serviceAccount:
    name: orders-api-sa
    aws:
      policy:
        - sid: ReadOnly
          actions: [s3:GetObject]
          resources: ["\${bridge.orders_documents_bucket_arn}/\${env.name}/*"]
`,
    });
    const w = readAwsAccess(sources, 'staging').workloads.find((x) => x.name === 'orders-api')!;
    expect([w.namespace, w.serviceAccount, w.roleOutput]).toEqual(['orders-staging', 'orders-api-sa', 'orders_api_iam_role_arn']);
    expect(resolveStatements(w, { orders_documents_bucket_arn: 'arn:aws:s3:::b' })).toEqual([{ sid: 'ReadOnly', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/staging/*'] }]);
    // Other environments keep the base.
    expect(readAwsAccess(sources, 'prod').workloads.find((x) => x.name === 'orders-api')!.namespace).toBe('orders');
  });

  it('leaves out apps not deployed to the environment and addons it does not enable', () => {
    const sources = withFiles({
      'manifests/apps/reports/app.yaml': app('reports', '  environments: [prod]\n  serviceAccount:\n    aws: { roleOutput: reports_iam_role_arn }\n'),
      'manifests/addons/reloader/app.yaml': app('reloader', '  serviceAccount:\n    aws: { roleOutput: reloader_iam_role_arn }\n'),
    });
    expect(readAwsAccess(sources, 'dev').workloads.map((w) => w.name)).not.toContain('reports');
    expect(readAwsAccess(sources, 'prod').workloads.map((w) => w.name)).toContain('reports');
    for (const env of ['dev', 'prod']) expect(readAwsAccess(sources, env).workloads.map((w) => w.name)).not.toContain('reloader');
  });

  it('an overlay can take AWS access away in one environment', () => {
    const sources = withFiles({
      'manifests/apps/orders-worker/overlays/staging.yaml': `apiVersion: gitops-bridge.dev/v1alpha1
kind: AppOverlay
metadata: { name: orders-worker, environment: staging }
spec:
  serviceAccount: null
`,
    });
    expect(readAwsAccess(sources, 'staging').workloads.map((w) => w.name)).not.toContain('orders-worker');
  });

  it('refuses an unknown environment, with a suggestion', () => {
    const [e] = thrown(() => readAwsAccess(fleet(), 'prd'));
    expect(e!.message).toMatch(/no environment "prd"/);
    expect(e!.hint).toMatch(/"prod"/);
  });

  it('reports an unknown ${...} reference at its file and pointer', () => {
    const sources = withFiles({
      'manifests/apps/reports/app.yaml': app('reports', '  serviceAccount:\n    aws:\n      roleOutput: reports_iam_role_arn\n      policy:\n        - actions: [s3:GetObject]\n          resources: ["arn:aws:s3:::${env.nmae}/*"]\n'),
    });
    const [e] = thrown(() => readAwsAccess(sources, 'dev'));
    expect(e!.file).toBe('manifests/apps/reports/app.yaml');
    expect(e!.pointer).toBe('/spec/serviceAccount/aws/policy/0/resources/0');
    expect(e!.line).toBe(13);
    expect(e!.hint).toMatch(/\$\{env\.name\}/);
  });

  it('reports schema errors of the spec at the field', () => {
    const sources = withFiles({
      'manifests/apps/reports/app.yaml': app('reports', '  serviceAccount:\n    aws:\n      roleOutput: Reports-Role\n'),
    });
    const errors = thrown(() => readAwsAccess(sources, 'dev'));
    expect(errors.map((e) => [e.file, e.pointer])).toContainEqual(['manifests/apps/reports/app.yaml', '/spec/serviceAccount/aws/roleOutput']);
  });

  it('refuses two workloads exporting their role under the same key', () => {
    const sources = withFiles({
      'manifests/apps/reports/app.yaml': app('reports', '  serviceAccount:\n    aws: { roleOutput: orders_api_iam_role_arn }\n'),
    });
    const [e] = thrown(() => readAwsAccess(sources, 'dev'));
    expect(e!.message).toMatch(/both export their role ARN as "orders_api_iam_role_arn"/);
  });
});

describe('hub addons', () => {
  it('a hub addon the program provides for gets its IRSA role, in the upstream namespace and ServiceAccount; one it does not gets none', () => {
    const env = 'manifests/environments/dev.yaml';
    const sources = withFiles({ [env]: fleet().get(env)!.replace('    - cert_manager\n', '    - cert_manager\n    - external_secrets\n    - karpenter\n') });
    const byName = new Map(readAwsAccess(sources, 'dev').workloads.map((w) => [w.name, w]));
    expect(byName.get('external-secrets')).toMatchObject({ source: 'addon', namespace: 'external-secrets', serviceAccount: 'external-secrets-sa', roleOutput: 'external_secrets_iam_role_arn', identity: 'irsa' });
    expect(byName.get('external-secrets')!.bridgeReferences).toEqual(['aws_account_id', 'aws_region']);
    expect(workloadExports(byName.get('cert-manager')!)).toEqual({ roleArn: 'cert_manager_iam_role_arn', namespace: 'cert_manager_namespace', serviceAccount: 'cert_manager_service_account' });
    // Karpenter needs a queue and a node role the program does not make: the render names the keys instead.
    expect(byName.has('karpenter')).toBe(false);
  });
});

describe('serviceAccount.aws.identity', () => {
  it('is irsa unless the spec says pod-identity, in app.yaml as in aws-access.yaml', () => {
    const identities = (sources: SourceSet) => Object.fromEntries(readAwsAccess(sources, 'dev').workloads.map((w) => [w.name, w.identity]));
    expect(identities(fleet())).toEqual({
      'aws-load-balancer-controller': 'irsa',
      'cert-manager': 'irsa',
      'external-dns': 'irsa',
      'invoice-report': 'pod-identity',
      'orders-api': 'irsa',
      'orders-worker': 'irsa',
    });
    const file = 'manifests/addons/aws-load-balancer-controller/aws-access.yaml';
    const text = fleet().get(file)!;
    const switched = withFiles({
      [file]: text.replace('    aws:\n', '    aws:\n      identity: pod-identity\n'),
      'manifests/apps/reports/app.yaml': app('reports', '  serviceAccount:\n    aws: { identity: irsa, roleOutput: reports_iam_role_arn }\n'),
    });
    expect(identities(switched)).toMatchObject({ 'aws-load-balancer-controller': 'pod-identity', reports: 'irsa' });
  });

  it('refuses another value, naming the file and the pointer', () => {
    const sources = withFiles({ 'manifests/apps/reports/app.yaml': app('reports', '  serviceAccount:\n    aws: { identity: kiam, roleOutput: reports_iam_role_arn }\n') });
    const errors = thrown(() => readAwsAccess(sources, 'dev'));
    expect(errors.map((e) => [e.file, e.pointer])).toContainEqual(['manifests/apps/reports/app.yaml', '/spec/serviceAccount/aws/identity']);
  });

  it('a Pod Identity trust names only pods.eks.amazonaws.com, pinned to one cluster, namespace and ServiceAccount', () => {
    expect(podIdentityTrustPolicy('shop-dev', 'orders', 'orders-api')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PodIdentity',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/eks-cluster-name': 'shop-dev',
              'aws:RequestTag/kubernetes-namespace': 'orders',
              'aws:RequestTag/kubernetes-service-account': 'orders-api',
            },
          },
        },
      ],
    });
  });
});

describe('policy documents', () => {
  it('resolving an unknown bridge key names the spec and suggests a key', () => {
    const w = readAwsAccess(fleet(), 'dev').workloads.find((x) => x.name === 'orders-worker')!;
    const [e] = thrown(() => resolveStatements(w, { orders_queue_url: 'https://sqs/x' }));
    expect(e!.code).toBe('unknown-bridge-key');
    expect(e!.file).toBe('manifests/apps/orders-worker/overlays/dev.yaml');
    expect(e!.message).toMatch(/\$\{bridge\.orders_queue_arn\}/);
    expect(e!.hint).toMatch(/orders_queue_url/);
  });

  it('builds the IAM policy and the IRSA trust policy', () => {
    expect(policyDocument([{ sid: 'A', actions: ['sqs:SendMessage'], resources: ['arn:q'] }, { actions: ['s3:GetObject'], resources: ['arn:b/*'] }])).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:q'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:b/*'] },
      ],
    });
    const trust = irsaTrustPolicy('arn:aws:iam::1:oidc-provider/oidc.example/id/X', 'oidc.example/id/X', 'orders', 'orders-api');
    expect(trust.Statement[0]!.Condition).toEqual({
      StringEquals: { 'oidc.example/id/X:sub': 'system:serviceaccount:orders:orders-api', 'oidc.example/id/X:aud': 'sts.amazonaws.com' },
    });
  });
});
