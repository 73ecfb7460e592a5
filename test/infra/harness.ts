/**
 * Runs the Pulumi program offline under `pulumi.runtime.setMocks`, with the real stack file's
 * configuration, and records every resource and invoke it makes. The mocks answer like AWS
 * does (ARNs, endpoints, ids), since with preview=false output-only properties must come back
 * from newResource. Pulumi's runtime settings are process-global: one stack per test file
 * (vitest runs each file in its own forked process).
 */
import * as pulumi from '@pulumi/pulumi';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { PolicyResource } from '../../infra/policy/rules.js';
import { repoRoot } from '../helpers.js';

export const PROJECT = 'gitops-bridge-infra';
export const TEST_DB_PASSWORD = 'Test-Db-Password-7f3a9c';
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

export interface RecordedResource extends PolicyResource {
  /** Inputs as the program sent them, secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** JSON paths (dotted) of inputs that arrived as secrets. */
  secretInputs: string[];
  provider?: string;
  custom: boolean;
}

export interface RecordedCall {
  token: string;
  args: Record<string, unknown>;
  provider?: string;
}

export interface StackRun {
  env: string;
  resources: RecordedResource[];
  calls: RecordedCall[];
  /** The stack's outputs, resolved. */
  outputs: Record<string, unknown>;
  /** Keys of outputs that are secret. */
  secretOutputs: string[];
  ofType(type: string): RecordedResource[];
  one(type: string, name?: string | RegExp): RecordedResource;
}

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The stack file's config as Pulumi passes it to the program: structured values as JSON. */
export function stackConfig(env: string): Record<string, string> {
  const doc = yaml.load(readFileSync(join(repoRoot, 'infra', `Pulumi.${env}.yaml`), 'utf8')) as { config: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    const key = k.includes(':') ? k : `${PROJECT}:${k}`;
    out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function unwrapSecrets(value: unknown, path: string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, secrets));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === '1b47061264138c4ac30d75fd1eb44270') {
      secrets.push(path);
      return unwrapSecrets(o.value, path, secrets);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v, path ? `${path}.${k}` : k, secrets)]));
  }
  return value;
}

/** What AWS would return for a new resource: ids, ARNs, endpoints; inputs echoed back. */
export function mockResource(type: string, name: string, inputs: Record<string, unknown>, account: string, region: string): { id: string; state: Record<string, unknown> } {
  const h = hex(`${type}/${name}`, 17);
  const s = (extra: Record<string, unknown>, id = `${name}-${hex(name, 8)}`) => ({ id, state: { ...inputs, ...extra } });
  switch (type) {
    case 'pulumi:providers:aws':
      return { id: 'aws-provider', state: inputs };
    case 'aws:ec2/vpc:Vpc':
      return s({ arn: `arn:aws:ec2:${region}:${account}:vpc/vpc-${h}` }, `vpc-${h}`);
    case 'aws:ec2/subnet:Subnet':
      return s({ arn: `arn:aws:ec2:${region}:${account}:subnet/subnet-${h}` }, `subnet-${h}`);
    case 'aws:ec2/securityGroup:SecurityGroup':
      return s({ arn: `arn:aws:ec2:${region}:${account}:security-group/sg-${h}` }, `sg-${h}`);
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return s({ arn: `arn:aws:ec2:${region}:${account}:launch-template/lt-${h}`, latestVersion: 1 }, `lt-${h}`);
    case 'aws:eks/cluster:Cluster': {
      const id = hex(name, 32).toUpperCase();
      const vpcConfig = { ...(inputs.vpcConfig as object), clusterSecurityGroupId: `sg-${hex(name + 'cluster', 17)}` };
      return s(
        {
          arn: `arn:aws:eks:${region}:${account}:cluster/${inputs.name as string}`,
          endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
          certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\nmock CA ${name}\n-----END CERTIFICATE-----\n`).toString('base64') },
          identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
          vpcConfig,
          status: 'ACTIVE',
        },
        inputs.name as string,
      );
    }
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider': {
      const url = String(inputs.url).replace(/^https:\/\//, '');
      const arn = `arn:aws:iam::${account}:oidc-provider/${url}`;
      return s({ arn, url }, arn);
    }
    case 'aws:iam/role:Role':
      return s({ arn: `arn:aws:iam::${account}:role/${inputs.name as string}`, uniqueId: `AROA${h.toUpperCase()}` }, inputs.name as string);
    case 'aws:rds/instance:Instance': {
      const address = `${inputs.identifier as string}.c${hex(account, 10)}.${region}.rds.amazonaws.com`;
      return s({ address, endpoint: `${address}:5432`, port: 5432, arn: `arn:aws:rds:${region}:${account}:db:${inputs.identifier as string}` }, `db-${h.toUpperCase()}`);
    }
    case 'aws:s3/bucket:Bucket':
      return s({ arn: `arn:aws:s3:::${inputs.bucket as string}` }, inputs.bucket as string);
    case 'aws:sqs/queue:Queue': {
      const url = `https://sqs.${region}.amazonaws.com/${account}/${inputs.name as string}`;
      return s({ arn: `arn:aws:sqs:${region}:${account}:${inputs.name as string}`, url }, url);
    }
    case 'aws:kms/key:Key': {
      const keyId = `${hex(name, 8)}-${hex(name, 4)}-4${hex(name, 3)}-a${hex(name, 3)}-${hex(name, 12)}`;
      return s({ keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` }, keyId);
    }
    case 'aws:acm/certificate:Certificate': {
      const domain = inputs.domainName as string;
      // ACM gives a name and its wildcard the same validation record.
      const options = [domain, ...((inputs.subjectAlternativeNames as string[]) ?? [])].map((domainName) => {
        const base = domainName.replace(/^\*\./, '');
        return { domainName, resourceRecordName: `_${hex(base, 32)}.${base}.`, resourceRecordType: 'CNAME', resourceRecordValue: `_${hex(base + 'v', 32)}.acm-validations.aws.` };
      });
      return s({ arn: `arn:aws:acm:${region}:${account}:certificate/${hex(domain, 8)}-${hex(domain, 4)}`, domainValidationOptions: options, status: 'ISSUED' });
    }
    case 'aws:acm/certificateValidation:CertificateValidation':
      return s({});
    case 'aws:route53/record:Record':
      return s({ fqdn: String(inputs.name).replace(/\.$/, '') });
    default: {
      const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
      return s({ arn: `arn:aws:${service}:${region}:${account}:${name}` });
    }
  }
}

export interface RunOptions {
  env: string;
  /** Project root with manifests/ (default: the repository). */
  root?: string;
  /** Config to add or override (full keys). */
  config?: Record<string, string>;
  account?: string;
}

/**
 * Runs infra/index.ts (or, with `root`, createInfrastructure on that root) for one stack and
 * waits until every resource is registered.
 */
export async function runStack(options: RunOptions): Promise<StackRun> {
  const { env } = options;
  const account = options.account ?? '123456789012';
  const config: Record<string, string> = { ...stackConfig(env), [`${PROJECT}:dbPassword`]: TEST_DB_PASSWORD, ...options.config };
  const region = config['aws:region'] ?? 'eu-west-1';
  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secretInputs: string[] = [];
        const inputs = unwrapSecrets(args.inputs, '', secretInputs) as Record<string, unknown>;
        const result = mockResource(args.type, args.name, inputs, account, region);
        resources.push({
          type: args.type,
          name: args.name,
          urn: `urn:pulumi:${env}::${PROJECT}::${args.type}::${args.name}`,
          props: { ...result.state, id: result.id },
          inputs,
          secretInputs,
          provider: args.provider,
          custom: args.custom ?? true,
        });
        return result;
      },
      call(args) {
        calls.push({ token: args.token, args: args.inputs as Record<string, unknown>, provider: args.provider });
        switch (args.token) {
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: account, arn: `arn:aws:iam::${account}:user/ci`, userId: 'AIDAMOCK', id: account };
          case 'aws:eks/getAddonVersion:getAddonVersion':
            // The default version EKS publishes for that add-on and Kubernetes version.
            return { addonName: args.inputs.addonName, kubernetesVersion: args.inputs.kubernetesVersion, version: `v1.3.${String(args.inputs.kubernetesVersion).split('.')[1]}-eksbuild.1`, id: String(args.inputs.addonName) };
          case 'aws:route53/getZone:getZone':
            return { zoneId: `Z${hex(String(args.inputs.name), 19).toUpperCase()}`, name: args.inputs.name, id: 'zone' };
          default:
            throw new Error(`unmocked invoke ${args.token}`);
        }
      },
    },
    PROJECT,
    env,
    false,
  );
  pulumi.runtime.setAllConfig(config, [`${PROJECT}:dbPassword`]);

  let stackOutputs: Record<string, pulumi.Output<unknown>>;
  if (options.root === undefined) {
    const main = (await import('../../infra/index.js')).default;
    stackOutputs = main();
  } else {
    const { createInfrastructure } = await import('../../infra/program.js');
    const { readSettings } = await import('../../infra/settings.js');
    stackOutputs = createInfrastructure({ root: options.root, settings: readSettings() }).outputs;
  }

  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [k, o] of Object.entries(stackOutputs)) {
    outputs[k] = await new Promise((resolve) => o.apply(resolve));
    if (await pulumi.isSecret(o)) secretOutputs.push(k);
  }
  // Resources nothing exported depends on (a public access block) may still be registering.
  await pulumi.runtime.disconnect();

  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    env,
    resources,
    calls,
    outputs,
    secretOutputs,
    ofType,
    one(type, name) {
      const found = ofType(type).filter((r) => name === undefined || (typeof name === 'string' ? r.name === name : name.test(r.name)));
      if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${String(name)}` : ''}, found ${found.length}: ${found.map((r) => r.name).join(', ')}`);
      return found[0]!;
    },
  };
}

/** The committed bridge snapshot of an environment. */
export function snapshot(env: string, root = repoRoot): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'infra', 'outputs', `${env}.json`), 'utf8')) as Record<string, unknown>;
}

/** Parses an IAM policy document held as JSON text. */
export function policyJson(value: unknown): { Statement: Record<string, unknown>[] } {
  return JSON.parse(String(value)) as { Statement: Record<string, unknown>[] };
}
