/**
 * What the consistency rules let through, rendered as a user renders it: an app in a namespace
 * gitops-bridge does not own (nothing rendered for the namespace, the AppProject allows it), UDP
 * and SCTP ports in network policies, bridge references in overlay patches, links inside the
 * repository, a value just under the size limit. The refusals are rows of bad-input-corpus.test.ts.
 */
import { readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { MAX_VALUE_CHARS } from '../../generators/load/limits.js';
import { cli, eachExampleProject } from '../helpers.js';

const project = eachExampleProject();
const { path, edit } = project;

async function render(): Promise<void> {
  const r = await cli(['--root', project.root, 'render']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
}
const rendered = (file: string) => yaml.load(readFileSync(path(`rendered/${file}`), 'utf8')) as Record<string, any>;

describe('namespaces gitops-bridge does not own', () => {
  it('namespace: {name: kube-system, managed: false}: the app deploys there, nothing is rendered for the namespace, the AppProject allows it', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  namespace: orders\n', '  namespace: {name: kube-system, managed: false}\n'));
    await render();
    for (const env of ['dev', 'prod', 'staging']) {
      expect(rendered(`${env}/orders-api/deployment-orders-api.yaml`).metadata.namespace).toBe('kube-system');
      expect(readdirSync(path(`rendered/${env}/namespaces`)).filter((f) => f.includes('kube-system'))).toEqual([]);
      const destinations = rendered(`argocd/appproject-${env}.yaml`).spec.destinations.map((d: { namespace: string }) => d.namespace);
      expect(destinations).toContain('kube-system');
      // orders-worker still owns "orders": its namespace objects stay.
      expect(readdirSync(path(`rendered/${env}/namespaces`))).toContain('namespace-orders.yaml');
    }
  });

  it('a Kustomize app says it through its kustomization annotation', async () => {
    edit('manifests/addons/aws-load-balancer-controller/base/kustomization.yaml', (t) =>
      t.replace('namespace: aws-load-balancer-controller\n', 'namespace: kube-system\nmetadata:\n  annotations:\n    gitops-bridge.dev/namespace-managed: "false"\n'),
    );
    await render();
    expect(rendered('prod/aws-load-balancer-controller/deployment-aws-load-balancer-controller.yaml').metadata.namespace).toBe('kube-system');
    expect(readdirSync(path('rendered/prod/namespaces')).filter((f) => f.includes('kube-system') || f.includes('aws-load-balancer-controller'))).toEqual([]);
  });
});

describe('network policy ports', () => {
  it('carry the container port\'s protocol, and the spec can say UDP or SCTP', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) =>
      t
        .replace('      containerPort: 9090\n', '      containerPort: 9090\n    - name: statsd\n      containerPort: 8125\n      servicePort: 8125\n      protocol: UDP\n')
        .replace('        ports: [8080]\n', '        ports: [8080, 8125]\n')
        .replace('        ports: [443]\n', '        ports: [443, {port: 4500, protocol: UDP}, {port: 3868, protocol: SCTP}]\n'),
    );
    await render();
    const policy = rendered('dev/orders-api/networkpolicy-orders-api.yaml').spec;
    const fromStorefront = policy.ingress.find((r: any) => r.from[0].podSelector?.matchLabels['app.kubernetes.io/name'] === 'storefront');
    expect(fromStorefront.ports).toEqual([{ port: 8080, protocol: 'TCP' }, { port: 8125, protocol: 'UDP' }]);
    expect(policy.egress.at(-1).ports).toEqual([{ port: 443, protocol: 'TCP' }, { port: 4500, protocol: 'UDP' }, { port: 3868, protocol: 'SCTP' }]);
    const service = rendered('dev/orders-api/service-orders-api.yaml').spec;
    expect(service.ports).toContainEqual({ name: 'statsd', port: 8125, targetPort: 'statsd', protocol: 'UDP' });
  });
});

describe('references and links', () => {
  it('${bridge.*} in an overlay patch value is resolved', async () => {
    edit('manifests/apps/storefront/overlays/prod.yaml', (t) => t.replace('topologyKey: topology.kubernetes.io/zone', 'topologyKey: "topology.kubernetes.io/${bridge.aws_region}"'));
    await render();
    const spread = rendered('prod/storefront/rollout-storefront.yaml').spec.template.spec.topologySpreadConstraints;
    expect(spread[0].topologyKey).toBe('topology.kubernetes.io/eu-west-1');
  });

  it('a symbolic link that stays inside the repository is read like the file it points to', async () => {
    // catalog-api's staging overlay, as a link to a text file beside the app: the same files as the overlay itself.
    const text = readFileSync(path('manifests/apps/catalog-api/overlays/dev.yaml'), 'utf8').replace('environment: dev', 'environment: staging');
    writeFileSync(path('manifests/apps/catalog-api/overlays/staging.yaml'), text);
    await render();
    const asFile = rendered('staging/catalog-api/deployment-catalog-api.yaml');
    expect(asFile.spec.replicas).toBe(1); // the overlay's, not the base's 2
    writeFileSync(path('manifests/apps/catalog-api/staging-overlay.txt'), text);
    rmSync(path('manifests/apps/catalog-api/overlays/staging.yaml'));
    symlinkSync('../staging-overlay.txt', path('manifests/apps/catalog-api/overlays/staging.yaml'));
    await render();
    expect(rendered('staging/catalog-api/deployment-catalog-api.yaml')).toEqual(asFile);
  });
});

describe('sizes', () => {
  it('a config value just under the limit renders (a ConfigMap of 1 MiB)', async () => {
    edit('manifests/apps/catalog-api/app.yaml', (t) => t.replace('  config:\n', `  config:\n    BLOB: "${'x'.repeat(MAX_VALUE_CHARS - 1000)}"\n`));
    await render();
    expect(rendered('dev/catalog-api/configmap-catalog-api-config.yaml').data.BLOB).toHaveLength(MAX_VALUE_CHARS - 1000);
  });
});
