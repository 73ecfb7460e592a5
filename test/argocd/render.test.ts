/** rendered/argocd/ through the render pipeline and the CLI: ownership, new environments, refusals. */
import { readFleet } from '../../generators/workspace/fleet.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unitOf } from '../../generators/engine/layout.js';
import { cli, referenceRender, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { branchFiles, generate, hubObjects, unitDirectories } from './hub.js';

let project: { root: string; cleanup: () => void };
beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.cleanup());

const path = (rel: string) => join(project.root, rel);
const read = (rel: string) => readFileSync(path(rel), 'utf8');
const edit = (rel: string, fn: (text: string) => string) => writeFileSync(path(rel), fn(read(rel)));
const root = () => ['--root', project.root];
const argocdFiles = (files: Map<string, string>) => new Map([...files].filter(([p]) => p.startsWith('argocd/')));

describe('the argocd unit', () => {
  it('is its own unit, written only by a complete render', async () => {
    expect(unitOf('argocd/applicationset-dev.yaml', new Set(['dev', 'prod']))).toBe('argocd');
    const fleet = readFleet(repoRoot);
    const complete = await referenceRender(fleet);
    expect(complete.units.has('argocd')).toBe(true);
    expect([...complete.files.keys()].filter((p) => p.startsWith('argocd/')).length).toBe(10);
    for (const selection of [{ environments: ['dev'] }, { apps: ['orders-api'] }]) {
      const filtered = await referenceRender(fleet, selection);
      expect(filtered.units.has('argocd')).toBe(false);
      expect([...filtered.files.keys()].some((p) => p.startsWith('argocd/'))).toBe(false);
    }
  });

  it('is left untouched by a filtered render, and refreshed by the next complete one', async () => {
    const before = argocdFiles(snapshotDir(path('rendered')));
    edit('manifests/argocd.yaml', (t) => t.replace('https://github.com/example-shop/shop-gitops.git', 'https://git.example.com/shop/gitops.git'));

    expect((await cli([...root(), 'render', '--env', 'dev'])).code).toBe(0);
    expect((await cli([...root(), 'render', '--app', 'orders-api'])).code).toBe(0);
    expect(argocdFiles(snapshotDir(path('rendered')))).toEqual(before);

    const check = await cli([...root(), 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('~ argocd/applicationset-dev.yaml');

    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 added, 7 changed, 0 removed'); // 3 ApplicationSets, 3 AppProjects, the bootstrap
    expect(read('rendered/argocd/appproject-prod.yaml')).toContain('https://git.example.com/shop/gitops.git');
  });

  it('is not generated for a project without manifests/argocd.yaml', async () => {
    rmSync(path('manifests/argocd.yaml'));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 added, 0 changed, 10 removed');
    expect(existsSync(path('rendered/argocd'))).toBe(false);
  });
});

describe('adding an environment', () => {
  it('makes its Applications, AppProject and cluster Secret appear with no other edit', async () => {
    const before = snapshotDir(path('rendered'));
    writeFileSync(
      path('manifests/environments/qa.yaml'),
      read('manifests/environments/staging.yaml').replace('name: staging', 'name: qa').replace('tier: staging', 'tier: development').replace('domain: staging.', 'domain: qa.'),
    );
    const outputs = JSON.parse(read('infra/outputs/staging.json')) as Record<string, string>;
    const qa = Object.fromEntries(
      Object.entries(outputs).map(([k, v]) => [k, v.replace(/shop-staging/g, 'shop-qa').replace(/321098765432/g, '543210987654').replace('https://', 'https://QA')]),
    );
    writeFileSync(path('infra/outputs/qa.json'), JSON.stringify(qa, null, 2) + '\n');

    const r = await cli([...root(), 'render']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = snapshotDir(path('rendered'));

    // Nothing of the other environments changed; qa/ and its three hub objects appeared.
    const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
    expect(changed).toEqual([]);
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added.filter((k) => k.startsWith('argocd/')).sort()).toEqual(['argocd/applicationset-qa.yaml', 'argocd/appproject-qa.yaml', 'argocd/secret-cluster-qa.yaml']);
    expect(added.every((k) => k.startsWith('qa/') || k.startsWith('argocd/'))).toBe(true);

    const hub = hubObjects(after);
    const secret = hub.find((o) => o.kind === 'Secret' && o.metadata.name === 'cluster-qa')!;
    expect(secret.metadata.labels).toMatchObject({ environment: 'qa', cluster_name: 'shop-qa', aws_cluster_name: 'shop-qa', enable_metrics_server: 'true' });
    expect(secret.metadata.labels).not.toHaveProperty('enable_external_dns');
    expect((secret['stringData'] as Record<string, string>)['server']).toBe(qa['cluster_endpoint']);
    expect(hub.find((o) => o.kind === 'AppProject' && o.metadata.name === 'qa')).toBeDefined();

    // On the branch, the qa ApplicationSet turns exactly qa's directories into Applications on qa's cluster.
    const appSet = hub.find((o) => o.kind === 'ApplicationSet' && o.metadata.name === 'qa')!;
    const generated = generate(appSet, branchFiles(after));
    const qaDirs = unitDirectories(after).filter((d) => d.startsWith('qa/'));
    expect(qaDirs).toContain('qa/cluster-metadata');
    expect(generated.map((g) => g.path).sort()).toEqual(qaDirs);
    for (const g of generated) {
      expect(g.application.spec.destination.name).toBe('shop-qa');
      expect(g.application.spec.project).toBe('qa');
    }
    expect(generated.find((g) => g.path === 'qa/orders-worker')!.application.spec.destination.namespace).toBe('orders');
    // And the other ApplicationSets still generate only their own environments.
    for (const other of hub.filter((o) => o.kind === 'ApplicationSet' && o.metadata.name !== 'qa')) {
      expect(generate(other, branchFiles(after)).every((g) => g.path.startsWith(`${other.metadata.name}/`))).toBe(true);
    }
  });
});

describe('refusals, at render time rather than at sync time', () => {
  it('a cluster-scoped kind outside the allow-list', async () => {
    const before = snapshotDir(path('rendered'));
    edit('manifests/argocd.yaml', (t) => t.replace(/\n\s+- \{ group: rbac\.authorization\.k8s\.io, kind: ClusterRole \}/, ''));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('manifests/argocd.yaml at /spec/clusterScopedAllowList: rendered/dev/aws-load-balancer-controller holds the cluster-scoped ClusterRole "aws-load-balancer-controller"');
    expect(r.stderr).toContain('add { group: "rbac.authorization.k8s.io", kind: ClusterRole }');
    expect(snapshotDir(path('rendered'))).toEqual(before);
  });

  it('two environments on one cluster', async () => {
    edit('infra/outputs/staging.json', (t) => t.replace(/"cluster_endpoint": "[^"]+"/, `"cluster_endpoint": "${JSON.parse(read('infra/outputs/dev.json')).cluster_endpoint}"`));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments "dev" and "staging" have the same cluster endpoint (cluster_endpoint)');
  });

  it('a snapshot without the hub role', async () => {
    edit('infra/outputs/prod.json', (t) => t.replace(/\n\s+"argocd_hub_role_arn": "[^"]+",/, ''));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('infra/outputs/prod.json');
    expect(r.stderr).toContain('argocd_hub_role_arn');
  });

  it('an unknown field in manifests/argocd.yaml', async () => {
    edit('manifests/argocd.yaml', (t) => t.replace('targetRevision: rendered', 'targetRevison: rendered'));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('manifests/argocd.yaml');
    expect(r.stderr).toContain('unknown field "targetRevison"');
    expect(r.stderr).toContain('did you mean "targetRevision"?');
  });

  it('Application names that would collide', async () => {
    // Environment "dev" with app "api-x" and environment "dev-api" with app "x" would both make "dev-api-x".
    writeFileSync(path('manifests/environments/dev-api.yaml'), read('manifests/environments/dev.yaml').replace('name: dev', 'name: dev-api'));
    const outputs = read('infra/outputs/dev.json').replace(/shop-dev/g, 'shop-dev-api').replace('https://', 'https://X');
    writeFileSync(path('infra/outputs/dev-api.json'), outputs);
    mkdirSync(path('manifests/apps/api-x'));
    mkdirSync(path('manifests/apps/x'));
    writeFileSync(
      path('manifests/apps/api-x/app.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: App\nmetadata:\n  name: api-x\nspec:\n  team: t\n  environments: [dev]\n  image: { repository: example.com/x, tag: "1.0" }\n',
    );
    writeFileSync(
      path('manifests/apps/x/app.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: App\nmetadata:\n  name: x\nspec:\n  team: t\n  environments: [dev-api]\n  image: { repository: example.com/x, tag: "1.0" }\n',
    );
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rendered\/dev(-api)?\/(api-)?x and rendered\/dev(-api)?\/(api-)?x would both be the Argo CD Application "dev-api-x"/);
  });
});
