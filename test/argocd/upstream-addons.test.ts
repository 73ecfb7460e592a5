/**
 * The cluster Secrets against upstream-style gitops-bridge addon ApplicationSets (fixtures in
 * fixtures/upstream-addons/, written from the documented contract): for every hub addon, each
 * value its ApplicationSet reads is on the Secret; no such ApplicationSet ever selects an addon
 * this project renders; and the hub-addon errors name the file to fix.
 */
import yaml from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSecret } from '../../generators/argocd/cluster-secrets.js';
import { HUB_ADDON_METADATA } from '../../generators/argocd/hub-addons.js';
import { argocdObjects } from '../../generators/argocd/index.js';
import { planEnvironment } from '../../generators/argocd/plan.js';
import { argoCdSettings } from '../../generators/argocd/settings.js';
import { BridgeError, BridgeErrors } from '../../generators/core/errors.js';
import type { EnvironmentInstance, Fleet } from '../../generators/load/fleet.js';
import { readFleet } from '../../generators/workspace/fleet.js';
import { editFile, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { generateApplications, selects } from './cluster-generator.js';
import { hubObjects, type Obj } from './hub.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'upstream-addons');
const appSets: Obj[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => yaml.load(readFileSync(join(FIXTURES, f), 'utf8')) as Obj);

/** The upstream addon an ApplicationSet installs: the `enable_<addon>` label its generators select on. */
function addonOf(appSet: Obj): string {
  const keys = JSON.stringify(appSet['spec']).match(/enable_[a-z0-9_]+/g) ?? [];
  expect(new Set(keys).size, appSet.metadata.name).toBe(1);
  return keys[0]!.slice('enable_'.length);
}
const byAddon = new Map(appSets.map((s) => [addonOf(s), s]));

const fleet = readFleet(repoRoot);
const settings = argoCdSettings(fleet.argocd!);
const renderedSecrets = hubObjects(snapshotDir(join(repoRoot, 'rendered'))).filter((o) => o.kind === 'Secret');

/** An environment whose hub installs the load balancer controller and cert-manager, and which renders external-dns. */
function hubAddonEnvironment(): EnvironmentInstance {
  const dev = fleet.environments.find((e) => e.name === 'dev')!;
  const outputs = Object.fromEntries(
    Object.entries(dev.outputs).map(([k, v]) => [k, v.replace(/shop-dev/g, 'shop-qa').replace('https://', 'https://QA')]),
  );
  Object.assign(outputs, {
    cert_manager_iam_role_arn: 'arn:aws:iam::210987654321:role/shop-qa-cert-manager',
    cert_manager_namespace: 'cert-manager',
    cert_manager_service_account: 'cert-manager',
  });
  return {
    ...dev,
    name: 'qa',
    file: 'manifests/environments/qa.yaml',
    snapshotFile: 'infra/outputs/qa.json',
    outputs,
    spec: { ...dev.spec, addons: ['external-dns'], hubAddons: ['aws_load_balancer_controller', 'cert_manager', 'metrics_server'] },
  };
}

function secretOf(env: EnvironmentInstance, s = settings): Obj {
  return clusterSecret(planEnvironment(env, [], s), s) as unknown as Obj;
}

const cases: { env: EnvironmentInstance; secret: Obj }[] = [
  ...fleet.environments.map((env) => ({ env, secret: renderedSecrets.find((s) => s.metadata.labels?.['environment'] === env.name)! })),
  { env: hubAddonEnvironment(), secret: secretOf(hubAddonEnvironment()) },
];

describe('upstream-style addon ApplicationSets on the cluster Secrets', () => {
  it('the fixtures are the addons at stake: the example fleet\'s rendered addons and the hub addons under test', () => {
    expect([...byAddon.keys()].sort()).toEqual(['argo_rollouts', 'argocd', 'aws_load_balancer_controller', 'cert_manager', 'external_dns', 'metrics_server']);
    for (const { env } of cases) for (const a of env.spec.hubAddons ?? []) expect(byAddon.has(a), `${env.name}: ${a}`).toBe(true);
  });

  it('for a hub addon, every value its ApplicationSet reads is present, and is the bridge\'s', () => {
    let checked = 0;
    for (const { env, secret } of cases) {
      expect(secret, env.name).toBeDefined();
      for (const addon of env.spec.hubAddons ?? []) {
        // generateApplications renders with missingkey=error: a missing annotation throws.
        const generated = generateApplications(byAddon.get(addon)!, [secret]);
        expect(generated, `${env.name}: ${addon}`).toHaveLength(1);
        const { application } = generated[0]!;
        const text = JSON.stringify(application);
        expect(text).not.toContain('<no value>');
        const spec = application.spec as { sources: { repoURL: string; targetRevision: string; helm?: { values?: string; valueFiles?: string[] } }[]; destination: { name: string; namespace: string } };
        expect(spec.sources[0]).toMatchObject({ repoURL: settings.addonsRepo!.url, targetRevision: settings.addonsRepo!.revision });
        expect(spec.destination.name).toBe(env.outputs['aws_cluster_name']);
        const valueFiles = spec.sources[1]!.helm?.valueFiles ?? [];
        expect(valueFiles.some((f) => f.startsWith(`$values/${settings.addonsRepo!.basepath}environments/${env.name}/addons/`))).toBe(true);
        // The OSS addons read no IRSA metadata.
        if (addon !== 'metrics_server' && addon !== 'argo_rollouts') {
          expect(spec.destination.namespace).toBe(env.outputs[`${addon}_namespace`]);
          const values = yaml.load(spec.sources[1]!.helm!.values!) as { serviceAccount: { name: string; annotations: Record<string, string> } };
          expect(values.serviceAccount).toEqual({
            name: env.outputs[`${addon}_service_account`],
            annotations: { 'eks.amazonaws.com/role-arn': env.outputs[`${addon}_iam_role_arn`] },
          });
        }
        checked++;
      }
    }
    expect(checked).toBe(3 * 2 + 2 + 3); // metrics_server and cert_manager in dev, staging, prod; argo_rollouts in staging and prod; three hub addons in qa
  });

  it('per-environment overrides of the upstream merge generators apply through the environment label', () => {
    const prod = cases.find((c) => c.env.name === 'prod')!;
    const [app] = generateApplications(byAddon.get('metrics_server')!, [prod.secret]);
    expect((app!.application.spec as { sources: { targetRevision: string }[] }).sources[1]!.targetRevision).toBe('3.11.0');
  });

  it('no upstream-style ApplicationSet selects an addon the project renders', () => {
    let checked = 0;
    for (const { env, secret } of cases) {
      for (const addon of env.spec.addons ?? []) {
        const appSet = byAddon.get(addon.replace(/-/g, '_'));
        if (!appSet) continue;
        expect(generateApplications(appSet, [secret]), `${env.name}: ${addon}`).toEqual([]);
        checked++;
      }
      // Nor does the app of addons, which would install the whole addon catalogue on a spoke.
      expect(generateApplications(byAddon.get('argocd')!, [secret])).toEqual([]);
    }
    expect(checked).toBe(2 * 3 + 1);
  });

  it('the check can fail: the old enable_<addon> label on a rendered addon is selected, and its missing metadata caught', () => {
    const prod = structuredClone(cases.find((c) => c.env.name === 'prod')!.secret);
    prod.metadata.labels!['enable_external_dns'] = 'true';
    expect(selects({ matchLabels: { enable_external_dns: 'true' } }, prod.metadata.labels!)).toBe(true);
    expect(() => generateApplications(byAddon.get('external_dns')!, [prod])).toThrow(/external_dns_domain_filters/);
    prod.metadata.annotations!['external_dns_domain_filters'] = '[shop.example.com]';
    expect(generateApplications(byAddon.get('external_dns')!, [prod])).toHaveLength(1);
  });
});

describe('hub addons on the cluster Secret', () => {
  it('the metadata table names only upstream addons of the environment schema', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/environment.schema.json'), 'utf8')) as { definitions: { UpstreamAddon: { enum: string[] } } };
    const upstream = schema.definitions.UpstreamAddon.enum;
    for (const addon of Object.keys(HUB_ADDON_METADATA)) expect(upstream).toContain(addon);
    for (const addon of [...byAddon.keys()]) expect(upstream).toContain(addon);
  });

  it('become enable_<addon> labels with their metadata annotations; rendered addons get no label', () => {
    const { secret } = cases.at(-1)!;
    const labels = secret.metadata.labels!;
    expect(Object.keys(labels).filter((k) => k.startsWith('enable_')).sort()).toEqual(['enable_aws_load_balancer_controller', 'enable_cert_manager', 'enable_metrics_server']);
    expect(labels['enable_external_dns']).toBeUndefined();
    expect(secret.metadata.annotations).toMatchObject({ cert_manager_iam_role_arn: 'arn:aws:iam::210987654321:role/shop-qa-cert-manager', cluster_name: 'shop-qa', environment: 'qa' });
  });

  it('external-dns as a hub addon gets its domain filter from the environment', () => {
    const env = hubAddonEnvironment();
    env.spec = { ...env.spec, addons: [], hubAddons: ['external_dns'] };
    const secret = secretOf(env);
    expect(secret.metadata.annotations!['external_dns_domain_filters']).toBe(`[${env.spec.domain}]`);
    const [app] = generateApplications(byAddon.get('external_dns')!, [secret]);
    expect((yaml.load((app!.application.spec as { sources: { helm: { values: string } }[] }).sources[1]!.helm.values) as { domainFilters: string[] }).domainFilters).toEqual([env.spec.domain]);
  });

  it('a metadata key the bridge lacks is an error naming the environment file and the hub addon', () => {
    const env = hubAddonEnvironment();
    delete env.outputs['cert_manager_iam_role_arn'];
    const error = (() => {
      try {
        secretOf(env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'unknown-bridge-key', file: 'manifests/environments/qa.yaml', pointer: '/spec/hubAddons/1' });
    expect((error as BridgeError).message).toContain('cert_manager_iam_role_arn');
  });

  it('needs addonsRepo in manifests/argocd.yaml', () => {
    const { addonsRepo: _, ...spec } = fleet.argocd!.spec;
    const without: Fleet = { ...fleet, argocd: { file: fleet.argocd!.file, spec } };
    expect(() => argocdObjects(without, [])).toThrow(/does not say where the hub's addon ApplicationSets live/);
    expect(argocdObjects({ ...without, environments: without.environments.map((e) => ({ ...e, spec: { ...e.spec, hubAddons: [] } })) }, []).length).toBeGreaterThan(0);
  });

  it('a bridge key that would change what the generator annotates is refused', () => {
    const env = hubAddonEnvironment();
    env.outputs['environment'] = 'production';
    expect(() => secretOf(env)).toThrow(/bridge key "environment" of infra\/outputs\/qa.json/);
  });
});

describe('the EKS capability as the hub', () => {
  const capability = { ...settings, hubType: 'eks-capability' as const };

  it('names the cluster by its ARN, with no credentials, and the same labels and annotations', () => {
    for (const { env, secret } of cases) {
      const outputs = { ...env.outputs };
      delete outputs['argocd_hub_role_arn'];
      const s = secretOf({ ...env, outputs }, capability);
      expect(s['stringData']).toEqual({
        name: env.outputs['aws_cluster_name'],
        server: `arn:aws:eks:${env.outputs['aws_region']}:${env.outputs['aws_account_id']}:cluster/${env.outputs['aws_cluster_name']}`,
      });
      expect(s.metadata.labels).toEqual(secret.metadata.labels);
      const { ['argocd.argoproj.io/sync-wave']: _, ...annotations } = secret.metadata.annotations!;
      const { argocd_hub_role_arn: __, ...expected } = annotations;
      expect(s.metadata.annotations).toEqual(expected);
      for (const addon of env.spec.hubAddons ?? []) expect(generateApplications(byAddon.get(addon)!, [s])).toHaveLength(1);
    }
  });

  it('a self-managed hub still needs argocd_hub_role_arn', () => {
    const env = hubAddonEnvironment();
    delete env.outputs['argocd_hub_role_arn'];
    expect(() => secretOf(env)).toThrow(BridgeError);
    try {
      secretOf(env);
    } catch (e) {
      expect(e).toMatchObject({ code: 'unknown-bridge-key', file: 'infra/outputs/qa.json' });
      expect((e as BridgeError).hint).toContain('hubType: eks-capability');
    }
  });
});

describe('spec.hubAddons in an environment file', () => {
  function loadErrors(edit: (text: string) => string): BridgeError[] {
    const { root, cleanup } = tempProject();
    try {
      editFile(join(root, 'manifests/environments/staging.yaml'), edit);
      readFleet(root);
      return [];
    } catch (e) {
      if (e instanceof BridgeErrors) return e.errors;
      if (e instanceof BridgeError) return [e];
      throw e;
    } finally {
      cleanup();
    }
  }

  it('an addon both rendered and a hub addon is an error naming the file, pointer and line', () => {
    const errors = loadErrors((t) => t.replace('    - metrics_server\n', '    - metrics_server\n    - aws_load_balancer_controller\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'manifests/environments/staging.yaml', pointer: '/spec/hubAddons/1' });
    expect(errors[0]!.line).toBeGreaterThan(0);
    expect(errors[0]!.message).toContain('"aws-load-balancer-controller" is both rendered');
  });

  it('an unknown upstream name suggests the nearest one', () => {
    const errors = loadErrors((t) => t.replace('    - metrics_server\n', '    - cert-manager\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'schema', file: 'manifests/environments/staging.yaml', pointer: '/spec/hubAddons/0', hint: 'did you mean "cert_manager"?' });
  });
});
