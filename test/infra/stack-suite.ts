/**
 * What every stack must satisfy, run once per environment (stack-<env>.test.ts, each in its own
 * process): the program under mocks with the real stack file, its resources' security
 * properties, and its exports against the committed bridge snapshot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotText } from '../../generators/app/infra-outputs.js';
import { secretReason } from '../../generators/core/secrets.js';
import { cidrContains } from '../../infra/cidr.js';
import { CONTROL_PLANE_LOG_TYPES } from '../../infra/components/cluster.js';
import { evaluate, REQUIRED_TAGS, TAGGABLE_TYPES } from '../../infra/policy/rules.js';
import { policyJson, runStack, snapshot, stackConfig, TEST_DB_PASSWORD, type RecordedResource, type StackRun } from './harness.js';

export interface StackExpectations {
  env: string;
  tier: 'development' | 'staging' | 'production';
  zones: number;
  natGateways: number;
  backupDays: number;
  multiAz: boolean;
  readReplica: boolean;
}

/** The example fleet's workloads with AWS access through IRSA, and the ServiceAccount each role must trust. */
const EXPECTED_SUBJECTS: Record<string, string> = {
  'cert-manager': 'system:serviceaccount:cert-manager:cert-manager',
  'aws-load-balancer-controller': 'system:serviceaccount:aws-load-balancer-controller:aws-load-balancer-controller',
  'external-dns': 'system:serviceaccount:external-dns:external-dns',
  'orders-api': 'system:serviceaccount:orders:orders-api',
  'orders-worker': 'system:serviceaccount:orders:orders-worker',
};
/** Those with EKS Pod Identity (`identity: pod-identity`), and their namespace and ServiceAccount. */
const EXPECTED_POD_IDENTITIES: Record<string, { namespace: string; serviceAccount: string; roleOutput: string }> = {
  'invoice-report': { namespace: 'invoice-report', serviceAccount: 'invoice-report', roleOutput: 'invoice_report_iam_role_arn' },
};

const ACCOUNT = '123456789012';

export function stackSuite(x: StackExpectations): void {
  describe(`stack ${x.env}`, () => {
    let run: StackRun;
    const tags = (r: RecordedResource) => (r.inputs.tags ?? {}) as Record<string, string>;
    beforeAll(async () => {
      run = await runStack({ env: x.env, account: ACCOUNT });
    });

    it('infra/index.ts only has a default export (Pulumi refuses a module with both kinds)', async () => {
      const mod = await import('../../infra/index.js');
      expect(Object.keys(mod)).toEqual(['default']);
      expect(typeof mod.default).toBe('function');
    });

    describe('exports: the bridge contract', () => {
      it('has exactly the keys of the committed snapshot', () => {
        expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(snapshot(x.env)).sort());
      });

      it('validates against the stack-outputs schema and holds no secret', () => {
        expect(run.secretOutputs).toEqual([]);
        for (const [k, v] of Object.entries(run.outputs)) expect(secretReason(k, v), k).toBeUndefined();
        const text = snapshotText(Object.fromEntries(Object.entries(run.outputs).map(([k, value]) => [k, { value }])), `infra/outputs/${x.env}.json`);
        expect(JSON.parse(text)).toEqual(run.outputs);
      });

      it('names things the way the snapshot does (same values up to the account id and generated ids)', () => {
        const snap = snapshot(x.env);
        const account = String(snap.aws_account_id);
        const named = Object.keys(snap).filter(
          (k) => /_iam_role_arn$|_role_arn$|_bucket_(arn|name)$|_queue_(arn|url)$|_namespace$|_service_account$/.test(k) || ['aws_cluster_name', 'aws_region', 'aws_vpc_cidr', 'kubernetes_version'].includes(k),
        );
        expect(named.length).toBeGreaterThan(10);
        for (const k of named) expect(run.outputs[k], k).toBe(String(snap[k]).split(account).join(ACCOUNT));
        expect(run.outputs.aws_account_id).toBe(ACCOUNT);
      });

      it('takes endpoints and ids from the resources, not from config', () => {
        const cluster = run.one('aws:eks/cluster:Cluster');
        const db = run.one('aws:rds/instance:Instance', 'orders-db');
        expect(run.outputs.cluster_endpoint).toBe(cluster.props.endpoint);
        expect(run.outputs.aws_vpc_id).toBe(run.one('aws:ec2/vpc:Vpc').props.id);
        expect(run.outputs.orders_db_endpoint).toBe(db.props.address);
        expect(run.outputs.oidc_provider).toBe(String((cluster.props.identities as { oidcs: { issuer: string }[] }[])[0]!.oidcs[0]!.issuer).replace('https://', ''));
        expect(run.outputs.oidc_provider_arn).toBe(run.one('aws:iam/openIdConnectProvider:OpenIdConnectProvider').props.arn);
        expect(run.outputs.shop_certificate_arn).toBe(run.one('aws:acm/certificate:Certificate').props.arn);
      });
    });

    describe('network', () => {
      it('is a VPC with a public and a private subnet per zone, tagged for load balancers', () => {
        const vpc = run.one('aws:ec2/vpc:Vpc');
        expect(vpc.inputs.cidrBlock).toBe(stackConfig(x.env)['gitops-bridge-infra:vpcCidr']);
        const subnets = run.ofType('aws:ec2/subnet:Subnet');
        const pub = subnets.filter((s) => tags(s)['kubernetes.io/role/elb'] === '1');
        const priv = subnets.filter((s) => tags(s)['kubernetes.io/role/internal-elb'] === '1');
        expect(pub).toHaveLength(x.zones);
        expect(priv).toHaveLength(x.zones);
        expect(subnets).toHaveLength(2 * x.zones);
        expect(new Set(priv.map((s) => s.inputs.availabilityZone)).size).toBe(x.zones);
        for (const s of subnets) {
          expect(cidrContains(String(vpc.inputs.cidrBlock), String(s.inputs.cidrBlock))).toBe(true);
          expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
          expect(tags(s)['kubernetes.io/cluster/shop-' + x.env]).toBe('shared');
        }
        const cidrs = subnets.map((s) => String(s.inputs.cidrBlock));
        for (const a of cidrs) for (const b of cidrs) if (a !== b) expect(cidrContains(a, b) || cidrContains(b, a), `${a} overlaps ${b}`).toBe(false);
      });

      it(`routes private subnets through ${x.natGateways} NAT gateway(s)`, () => {
        expect(run.ofType('aws:ec2/natGateway:NatGateway')).toHaveLength(x.natGateways);
        const privateTables = run.ofType('aws:ec2/routeTable:RouteTable').filter((t) => t.name.includes('private'));
        expect(privateTables).toHaveLength(x.zones);
        for (const t of privateTables) expect((t.inputs.routes as { natGatewayId?: string }[])[0]!.natGatewayId).toBeTruthy();
      });
    });

    describe('cluster', () => {
      it('envelope-encrypts secrets with a rotating customer-managed KMS key', () => {
        const cluster = run.one('aws:eks/cluster:Cluster');
        const key = run.one('aws:kms/key:Key', 'cluster-secrets');
        expect(cluster.inputs.encryptionConfig).toEqual({ provider: { keyArn: key.props.arn }, resources: ['secrets'] });
        expect(key.inputs.enableKeyRotation).toBe(true);
        // The cluster role may use exactly that key.
        const kms = policyJson(run.one('aws:iam/rolePolicy:RolePolicy', 'cluster-cluster-kms').inputs.policy);
        expect(kms.Statement[0]!.Resource).toEqual([key.props.arn]);
      });

      it('sends every control-plane log type to a log group with retention', () => {
        const cluster = run.one('aws:eks/cluster:Cluster');
        expect([...(cluster.inputs.enabledClusterLogTypes as string[])].sort()).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
        expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
        const logs = run.one('aws:cloudwatch/logGroup:LogGroup');
        expect(logs.inputs.name).toBe(`/aws/eks/shop-${x.env}/cluster`);
        expect(logs.inputs.retentionInDays).toBe(Number(stackConfig(x.env)['gitops-bridge-infra:logRetentionDays']));
      });

      it('runs Kubernetes 1.33 with its control plane in the private subnets', () => {
        const cluster = run.one('aws:eks/cluster:Cluster');
        expect(cluster.inputs.name).toBe(`shop-${x.env}`);
        expect(cluster.inputs.version).toBe('1.33');
        const vpc = cluster.inputs.vpcConfig as { subnetIds: string[]; endpointPrivateAccess: boolean };
        const privateIds = run.ofType('aws:ec2/subnet:Subnet').filter((s) => s.name.includes('private')).map((s) => s.props.id);
        expect([...vpc.subnetIds].sort()).toEqual([...privateIds].sort());
        expect(vpc.endpointPrivateAccess).toBe(true);
        expect((cluster.inputs.accessConfig as { authenticationMode: string }).authenticationMode).toBe('API');
      });

      it('has a managed node group from the stack config, IMDSv2 only, encrypted volumes', () => {
        const ng = run.one('aws:eks/nodeGroup:NodeGroup');
        const cfg = JSON.parse(stackConfig(x.env)['gitops-bridge-infra:nodeGroup']!) as Record<string, unknown>;
        expect(ng.inputs.instanceTypes).toEqual(cfg.instanceTypes);
        expect(ng.inputs.scalingConfig).toEqual({ minSize: cfg.minSize, desiredSize: cfg.desiredSize, maxSize: cfg.maxSize });
        const lt = run.one('aws:ec2/launchTemplate:LaunchTemplate');
        expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
        expect((lt.inputs.blockDeviceMappings as { ebs: { encrypted: string } }[])[0]!.ebs.encrypted).toBe('true');
      });

      it('registers the cluster issuer as the IAM OIDC provider for STS', () => {
        const oidc = run.one('aws:iam/openIdConnectProvider:OpenIdConnectProvider');
        const cluster = run.one('aws:eks/cluster:Cluster');
        expect(oidc.inputs.url).toBe((cluster.props.identities as { oidcs: { issuer: string }[] }[])[0]!.oidcs[0]!.issuer);
        expect(oidc.inputs.clientIdLists).toEqual(['sts.amazonaws.com']);
      });
    });

    describe('IRSA roles', () => {
      it('exist for exactly the workloads whose specs ask for AWS access, whichever the identity', () => {
        const roles = run.ofType('aws:iam/role:Role').filter((r) => r.name.startsWith('irsa-'));
        expect(roles.map((r) => r.name.replace('irsa-', '')).sort()).toEqual([...Object.keys(EXPECTED_SUBJECTS), ...Object.keys(EXPECTED_POD_IDENTITIES)].sort());
      });

      it('each trust exactly one ServiceAccount through the OIDC provider, with the STS audience', () => {
        const provider = String(run.outputs.oidc_provider);
        for (const [workload, subject] of Object.entries(EXPECTED_SUBJECTS)) {
          const role = run.one('aws:iam/role:Role', `irsa-${workload}`);
          expect(role.inputs.name).toBe(`shop-${x.env}-${workload}`);
          expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toEqual({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ServiceAccount',
                Effect: 'Allow',
                Principal: { Federated: run.outputs.oidc_provider_arn },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringEquals: { [`${provider}:sub`]: subject, [`${provider}:aud`]: 'sts.amazonaws.com' } },
              },
            ],
          });
        }
      });

      it('carry the spec statements with bridge references resolved from the stack itself', () => {
        const statements = (w: string) => policyJson(run.one('aws:iam/rolePolicy:RolePolicy', `irsa-${w}`).inputs.policy).Statement;
        const bucketArn = run.outputs.orders_documents_bucket_arn;
        expect(statements('orders-api')).toEqual([{ Sid: 'InvoiceDocuments', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`${bucketArn}/*`] }]);
        expect(statements('invoice-report')).toEqual([{ Sid: 'WriteReports', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`${bucketArn}/reports/*`] }]);
        expect(statements('orders-worker')[0]!.Resource).toEqual([run.outputs.orders_queue_arn]);
        expect(statements('external-dns')[0]).toEqual({
          Sid: 'ChangeRecords',
          Effect: 'Allow',
          Action: ['route53:ChangeResourceRecordSets'],
          Resource: [`arn:aws:route53:::hostedzone/${run.outputs.route53_zone_id}`],
        });
        for (const p of run.ofType('aws:iam/rolePolicy:RolePolicy')) expect(String(p.inputs.policy)).not.toContain('${');
      });

      it('IRSA roles are the only ones that trust the OIDC provider', () => {
        for (const r of run.ofType('aws:iam/role:Role')) {
          const trusts = JSON.stringify(JSON.parse(String(r.inputs.assumeRolePolicy)).Statement.map((st: { Principal: unknown }) => st.Principal));
          expect(trusts.includes(String(run.outputs.oidc_provider_arn)), r.name).toBe(r.name.replace('irsa-', '') in EXPECTED_SUBJECTS);
        }
      });

      it('are tagged with the owning team of the app', () => {
        expect(tags(run.one('aws:iam/role:Role', 'irsa-orders-api')).team).toBe('orders');
        expect(tags(run.one('aws:iam/role:Role', 'irsa-invoice-report')).team).toBe('finance');
        expect(tags(run.one('aws:iam/role:Role', 'irsa-external-dns')).team).toBe('platform');
      });
    });

    describe('EKS Pod Identity', () => {
      it('gives each pod-identity workload a role trusting only pods.eks.amazonaws.com, for its cluster, namespace and ServiceAccount', () => {
        for (const [workload, { namespace, serviceAccount }] of Object.entries(EXPECTED_POD_IDENTITIES)) {
          const role = run.one('aws:iam/role:Role', `irsa-${workload}`);
          expect(role.inputs.name).toBe(`shop-${x.env}-${workload}`);
          expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toEqual({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PodIdentity',
                Effect: 'Allow',
                Principal: { Service: 'pods.eks.amazonaws.com' },
                Action: ['sts:AssumeRole', 'sts:TagSession'],
                Condition: {
                  StringEquals: {
                    'aws:RequestTag/eks-cluster-name': `shop-${x.env}`,
                    'aws:RequestTag/kubernetes-namespace': namespace,
                    'aws:RequestTag/kubernetes-service-account': serviceAccount,
                  },
                },
              },
            ],
          });
        }
      });

      it('associates exactly those roles with exactly their namespace and ServiceAccount, session tags on', () => {
        const associations = run.ofType('aws:eks/podIdentityAssociation:PodIdentityAssociation');
        expect(associations.map((a) => a.name).sort()).toEqual(Object.keys(EXPECTED_POD_IDENTITIES).map((w) => `pod-identity-${w}`).sort());
        for (const [workload, { namespace, serviceAccount, roleOutput }] of Object.entries(EXPECTED_POD_IDENTITIES)) {
          const a = run.one('aws:eks/podIdentityAssociation:PodIdentityAssociation', `pod-identity-${workload}`);
          expect(a.inputs).toMatchObject({ clusterName: run.outputs.aws_cluster_name, namespace, serviceAccount, disableSessionTags: false });
          // The same ARN the bridge exports under the spec's roleOutput, as for IRSA.
          expect(a.inputs.roleArn).toBe(run.one('aws:iam/role:Role', `irsa-${workload}`).props.arn);
          expect(run.outputs[roleOutput]).toBe(a.inputs.roleArn);
        }
      });

      it('installs the eks-pod-identity-agent add-on once, at the default version for the cluster\'s Kubernetes version', () => {
        const agent = run.one('aws:eks/addon:Addon');
        expect(agent.inputs).toMatchObject({ clusterName: run.outputs.aws_cluster_name, addonName: 'eks-pod-identity-agent', addonVersion: 'v1.3.33-eksbuild.1' });
        const lookup = run.calls.filter((c) => c.token === 'aws:eks/getAddonVersion:getAddonVersion');
        expect(lookup.map((c) => c.args)).toEqual([{ addonName: 'eks-pod-identity-agent', kubernetesVersion: run.outputs.kubernetes_version }]);
      });
    });

    describe('DNS and TLS', () => {
      it('validates one certificate for the domain and every host level the apps use, through the zone', () => {
        const domain = x.env === 'prod' ? 'shop.example.com' : `${x.env}.shop.example.com`;
        const cert = run.one('aws:acm/certificate:Certificate');
        expect(cert.inputs.domainName).toBe(domain);
        // www.<domain> (storefront) and orders-api.internal.<domain> (orders-api's internal Ingress).
        expect(cert.inputs.subjectAlternativeNames).toEqual([`*.${domain}`, `*.internal.${domain}`]);
        const records = run.ofType('aws:route53/record:Record');
        expect(records.map((r) => r.inputs.name).sort()).toEqual(
          (cert.props.domainValidationOptions as { domainName: string; resourceRecordName: string }[])
            .filter((o) => o.domainName !== domain)
            .map((o) => o.resourceRecordName)
            .sort(),
        );
        for (const r of records) expect(r.inputs.zoneId).toBe(run.outputs.route53_zone_id);
        const validation = run.one('aws:acm/certificateValidation:CertificateValidation');
        expect(validation.inputs.certificateArn).toBe(cert.props.arn);
        expect((validation.inputs.validationRecordFqdns as string[]).length).toBe(2);
        expect(run.calls.find((c) => c.token === 'aws:route53/getZone:getZone')!.args).toEqual({ name: domain, privateZone: false });
      });
    });

    describe('database', () => {
      it(`is encrypted PostgreSQL, private, ${x.backupDays}-day backups, Multi-AZ ${x.multiAz ? 'on' : 'off'}`, () => {
        const db = run.one('aws:rds/instance:Instance', 'orders-db');
        const key = run.one('aws:kms/key:Key', 'orders-db-storage');
        expect(db.inputs).toMatchObject({
          engine: 'postgres',
          storageEncrypted: true,
          kmsKeyId: key.props.arn,
          publiclyAccessible: false,
          backupRetentionPeriod: x.backupDays,
          multiAz: x.multiAz,
          deletionProtection: x.tier === 'production',
          identifier: `shop-${x.env}-orders`,
        });
        const params = run.one('aws:rds/parameterGroup:ParameterGroup') .inputs.parameters as { name: string; value: string }[];
        expect(params).toContainEqual({ name: 'rds.force_ssl', value: '1' });
        const ingress = run.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
        expect(ingress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId])).toEqual([[5432, (run.one('aws:eks/cluster:Cluster').props.vpcConfig as { clusterSecurityGroupId: string }).clusterSecurityGroupId]]);
      });

      it(x.readReplica ? 'has a read replica behind the reader endpoint' : 'serves readers from the primary', () => {
        const replicas = run.ofType('aws:rds/instance:Instance').filter((r) => r.inputs.replicateSourceDb !== undefined);
        expect(replicas).toHaveLength(x.readReplica ? 1 : 0);
        const reader = x.readReplica ? replicas[0]! : run.one('aws:rds/instance:Instance', 'orders-db');
        expect(run.outputs.orders_db_reader_endpoint).toBe(reader.props.address);
        for (const r of replicas) expect(r.inputs.storageEncrypted).toBe(true);
      });

      it('gets the password from secret config, as a secret, and nowhere else', () => {
        const db = run.one('aws:rds/instance:Instance', 'orders-db');
        expect(db.inputs.password).toBe(TEST_DB_PASSWORD);
        expect(db.secretInputs).toContain('password');
        for (const r of run.resources) {
          const text = JSON.stringify(r.inputs);
          if (r !== db) expect(text, `${r.type} ${r.name}`).not.toContain(TEST_DB_PASSWORD);
        }
        expect(JSON.stringify(run.outputs)).not.toContain(TEST_DB_PASSWORD);
        expect(Object.keys(run.outputs).filter((k) => /password|secret/i.test(k))).toEqual([]);
      });
    });

    describe('buckets and queues', () => {
      it('block all public access, encrypt, version and require TLS', () => {
        const bucket = run.one('aws:s3/bucket:Bucket');
        expect(bucket.inputs.bucket).toBe(run.outputs.orders_documents_bucket_name);
        const name = bucket.props.id;
        expect(run.one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toEqual({
          bucket: name,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
        const sse = run.one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs;
        expect(sse.bucket).toBe(name);
        expect((sse.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }[])[0]!.applyServerSideEncryptionByDefault.sseAlgorithm).toBe('aws:kms');
        expect(run.one('aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
        expect(run.one('aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule).toEqual({ objectOwnership: 'BucketOwnerEnforced' });
        const deny = policyJson(run.one('aws:s3/bucketPolicy:BucketPolicy').inputs.policy).Statement[0]!;
        expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      });

      it('encrypt the queue and its dead-letter queue', () => {
        const queues = run.ofType('aws:sqs/queue:Queue');
        expect(queues.map((q) => q.inputs.name).sort()).toEqual([`shop-${x.env}-orders`, `shop-${x.env}-orders-dlq`]);
        for (const q of queues) expect(q.inputs.sqsManagedSseEnabled).toBe(true);
        const main = queues.find((q) => q.inputs.name === `shop-${x.env}-orders`)!;
        expect(JSON.parse(String(main.inputs.redrivePolicy)).deadLetterTargetArn).toBe(queues.find((q) => q !== main)!.props.arn);
      });
    });

    describe('tags and providers', () => {
      it('tags every taggable resource with environment, managed-by, team and cost-center', () => {
        const cfg = stackConfig(x.env);
        const taggable = run.resources.filter((r) => r.custom && r.type.startsWith('aws:') && ('tags' in r.inputs || TAGGABLE_TYPES.has(r.type)));
        expect(taggable.length).toBeGreaterThan(30);
        for (const r of taggable) {
          const t = tags(r);
          for (const k of REQUIRED_TAGS) expect(t[k], `${r.type} ${r.name} tag ${k}`).toBeTruthy();
          expect(t.environment).toBe(x.env);
          expect(t['managed-by']).toBe('pulumi');
          expect(t['cost-center']).toBe(cfg['gitops-bridge-infra:costCenter']);
        }
        // Every type the policy insists on is actually created, so the list cannot rot silently.
        const created = new Set(run.resources.map((r) => r.type));
        for (const t of TAGGABLE_TYPES) expect(created.has(t), t).toBe(true);
      });

      it('creates every AWS resource and invoke through the one explicit provider, with the same default tags', () => {
        const provider = run.one('pulumi:providers:aws');
        expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({
          tags: { environment: x.env, 'managed-by': 'pulumi', team: 'platform', 'cost-center': stackConfig(x.env)['gitops-bridge-infra:costCenter'] },
        });
        expect(provider.inputs.region).toBe('eu-west-1');
        const ref = `${provider.urn}::${provider.props.id}`;
        for (const r of run.resources.filter((r) => r.custom && r.type.startsWith('aws:'))) expect(r.provider, `${r.type} ${r.name}`).toBe(ref);
        for (const c of run.calls) expect(c.provider, c.token).toBe(ref);
      });
    });

    it('passes every rule of the policy pack', () => {
      expect(evaluate(run.resources)).toEqual([]);
    });
  });
}
