/** The program's small pure parts: subnet arithmetic, the tag transformation, stack settings. */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cidrContains, cidrSubnet, subnetPlan } from '../../infra/cidr.js';
import { backupRetentionDays } from '../../infra/components/database.js';
import { certificateNames } from '../../infra/components/dns.js';
import { createInfrastructure } from '../../infra/program.js';
import { readSettings } from '../../infra/settings.js';
import { standardTags, tagTransformation } from '../../infra/tags.js';
import { repoRoot } from '../helpers.js';
import { PROJECT, stackConfig, TEST_DB_PASSWORD } from './harness.js';

describe('cidr', () => {
  it('carves subnets like Terraform cidrsubnet', () => {
    expect(cidrSubnet('10.10.0.0/16', 3, 0)).toBe('10.10.0.0/19');
    expect(cidrSubnet('10.10.0.0/16', 3, 2)).toBe('10.10.64.0/19');
    expect(cidrSubnet('10.10.0.0/16', 6, 57)).toBe('10.10.228.0/22');
    expect(() => cidrSubnet('10.10.0.0/16', 3, 8)).toThrow(/no subnet 8/);
    expect(() => cidrSubnet('10.10.1.0/16', 3, 0)).toThrow(/host bits/);
  });

  it('plans disjoint private and public subnets inside the VPC', () => {
    for (const vpc of ['10.10.0.0/16', '10.20.0.0/16', '172.16.0.0/20']) {
      const plan = subnetPlan(vpc, 4);
      const all = [...plan.private, ...plan.public];
      for (const s of all) expect(cidrContains(vpc, s)).toBe(true);
      for (const a of all) for (const b of all) if (a !== b) expect(cidrContains(a, b)).toBe(false);
    }
    expect(subnetPlan('10.30.0.0/16', 3)).toEqual({
      private: ['10.30.0.0/19', '10.30.32.0/19', '10.30.64.0/19'],
      public: ['10.30.224.0/22', '10.30.228.0/22', '10.30.232.0/22'],
    });
    expect(() => subnetPlan('10.0.0.0/24', 2)).toThrow(/too small/);
  });
});

describe('tags', () => {
  const transform = tagTransformation(standardTags('dev', 'platform', 'shop-dev'));
  const args = (type: string, props: Record<string, unknown>) => ({ type, name: 'x', props, opts: {}, resource: undefined as never });

  it('adds the standard tags to AWS resources that take tags, under their own', () => {
    const r = transform(args('aws:iam/role:Role', { tags: { team: 'orders', extra: '1' }, name: 'r' }));
    expect(r?.props.tags).toEqual({ environment: 'dev', 'managed-by': 'pulumi', team: 'orders', 'cost-center': 'shop-dev', extra: '1' });
    expect(r?.props.name).toBe('r');
    // A resource that sets no tags still lists the key (the SDK does): it gets them all.
    expect(transform(args('aws:ec2/vpc:Vpc', { tags: undefined }))?.props.tags).toMatchObject({ environment: 'dev' });
  });

  it('leaves resources without tags, and non-AWS resources, alone', () => {
    expect(transform(args('aws:iam/rolePolicy:RolePolicy', { policy: '{}' }))).toBeUndefined();
    expect(transform(args('gitops-bridge:infra:Network', { tags: {} }))).toBeUndefined();
  });

  it('certificate names: a wildcard per host level under the domain', () => {
    expect(certificateNames('dev.shop.example.com', ['www.dev.shop.example.com', 'orders-api.internal.dev.shop.example.com', 'a.b.internal.dev.shop.example.com', 'dev.shop.example.com', 'elsewhere.example.org'])).toEqual({
      subjectAlternativeNames: ['*.dev.shop.example.com', '*.internal.dev.shop.example.com', '*.b.internal.dev.shop.example.com'],
      validationDomains: ['dev.shop.example.com', 'internal.dev.shop.example.com', 'b.internal.dev.shop.example.com'],
    });
    expect(certificateNames('shop.example.com', []).subjectAlternativeNames).toEqual(['*.shop.example.com']);
  });

  it('backups follow the tier', () => {
    expect(backupRetentionDays(true)).toBe(30);
    expect(backupRetentionDays(false)).toBe(7);
  });
});

describe('stack settings', () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: () => ({ id: 'x', state: {} }), call: () => ({}) }, PROJECT, 'dev', false);
  });
  const withConfig = (overrides: Record<string, string | undefined>) => {
    const config: Record<string, string> = { ...stackConfig('dev'), [`${PROJECT}:dbPassword`]: TEST_DB_PASSWORD };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === undefined) delete config[k];
      else config[k] = v;
    }
    pulumi.runtime.setAllConfig(config, [`${PROJECT}:dbPassword`]);
    return () => readSettings();
  };

  it('reads the dev stack file', async () => {
    const s = withConfig({})();
    expect(s).toMatchObject({ environment: 'dev', region: 'eu-west-1', system: 'shop', vpcCidr: '10.10.0.0/16', kubernetesVersion: '1.33', natGateways: 'single' });
    expect(s.nodeGroup.instanceTypes).toEqual(['t3.large']);
    expect(await pulumi.isSecret(s.dbPassword)).toBe(true);
  });

  it('lists every problem of a broken stack file at once, naming the keys', () => {
    const read = withConfig({
      [`${PROJECT}:vpcCidr`]: '10.10.0.0/24',
      [`${PROJECT}:availabilityZones`]: JSON.stringify(['us-east-1a', 'us-east-1b']),
      [`${PROJECT}:nodeGroup`]: JSON.stringify({ instanceTypes: ['t3.large'], minSize: 3, desiredSize: 2, maxSize: 4 }),
      [`${PROJECT}:dbPassword`]: undefined,
    });
    let message = '';
    try {
      read();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/gitops-bridge-infra:vpcCidr/);
    expect(message).toMatch(/availability zone us-east-1a is not in eu-west-1/);
    expect(message).toMatch(/minSize <= desiredSize <= maxSize/);
    expect(message).toMatch(/dbPassword is not set: run `pulumi config set --secret dbPassword`/);
  });

  it('with manifests/argocd.yaml, a stack without the hub principal is refused before anything is created', () => {
    const { argocdHubPrincipalArn: _hub, ...settings } = withConfig({})();
    expect(() => createInfrastructure({ root: repoRoot, settings })).toThrow(/manifests\/argocd\.yaml exists.*pulumi config set argocdHubPrincipalArn/s);
  });

  it('no stack file holds the database password in plain text (only `secure:` from --secret)', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const doc = yaml.load(readFileSync(join(repoRoot, 'infra', `Pulumi.${env}.yaml`), 'utf8')) as { config: Record<string, unknown> };
      for (const key of [`${PROJECT}:dbPassword`, 'dbPassword']) {
        const v = doc.config[key];
        if (v !== undefined) expect(v, `${env} ${key}`).toMatchObject({ secure: expect.any(String) });
      }
    }
  });
});
