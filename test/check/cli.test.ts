/**
 * The check stage end to end, through the CLI as a user runs it: a violation names the spec file
 * and line, the rendered file and pointer, the policy and its level; mandatory ones exit 1 with
 * rendered/ untouched; advisory ones warn; exemptions are listed; --format json is for CI.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonReport } from '../../generators/cli/check-report.js';
import { cli, eachExampleProject, snapshotDir } from '../helpers.js';

const project = eachExampleProject();
const { path, edit, lineOf } = project;
const run = (...args: string[]) => cli(['--root', project.root, ...args]);

async function refused(...args: string[]): Promise<string> {
  const r = await run('render', ...args);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain('nothing was written');
  expect(snapshotDir(path('rendered'))).toEqual(project.before);
  expect((await run('check', ...args)).code).toBe(1);
  return r.stderr;
}

const OVERLAY = 'manifests/apps/orders-api/overlays/prod.yaml';
const addReplicaPatch = () =>
  appendFileSync(
    path(OVERLAY),
    'patches:\n  - target: { kind: Deployment, name: orders-api }\n    operations:\n      - op: add\n        path: /spec/replica\n        value: 6\n',
  );

describe('check stage through the CLI', () => {
  it('the example fleet passes cleanly', async () => {
    const r = await run('check');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/checked \d+ objects: 0 warnings, 0 exempted/);
  });

  it('an unknown field added by an overlay patch is refused: the overlay line, the rendered file and pointer, did-you-mean', async () => {
    addReplicaPatch();
    const err = await refused();
    const line = lineOf(OVERLAY, 'op: add');
    expect(err).toContain(
      `error: ${OVERLAY}:${line}: [kubernetes-schema] rendered/prod/orders-api/deployment-orders-api.yaml at /spec/replica: unknown field "replica" (not in the apps/v1 Deployment schema)`,
    );
    expect(err).toContain('hint: did you mean "replicas"?');
  });

  it('--format json: one JSON object on stdout with every field CI needs, exit 1', async () => {
    addReplicaPatch();
    for (const command of ['check', 'render']) {
      const r = await run(command, '--format', 'json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(report.violations).toEqual([
        {
          policy: 'kubernetes-schema',
          level: 'mandatory',
          environment: 'prod',
          app: 'orders-api',
          file: 'rendered/prod/orders-api/deployment-orders-api.yaml',
          resource: 'Deployment/orders-api',
          pointer: '/spec/replica',
          source: OVERLAY,
          line: lineOf(OVERLAY, 'op: add'),
          message: 'unknown field "replica" (not in the apps/v1 Deployment schema)',
          hint: 'did you mean "replicas"?',
        },
      ]);
      expect(report.exemptions).toEqual([]);
      expect(report.stale).toEqual([{ file: 'rendered/prod/orders-api/deployment-orders-api.yaml', change: 'changed' }]);
      expect(report.errors).toEqual([]);
    }
    expect(snapshotDir(path('rendered'))).toEqual(project.before);
  });

  it('--format json on success, on stale output, and on invalid input', async () => {
    const ok = await run('check', '--format', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ violations: [], exemptions: [], stale: [], errors: [] });
    edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('replicas: 4', 'replicas: 6'));
    const stale = await run('check', '--format', 'json');
    expect(stale.code).toBe(1);
    expect((JSON.parse(stale.stdout) as JsonReport).stale).toContainEqual({ file: 'rendered/prod/orders-api/deployment-orders-api.yaml', change: 'changed' });
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  replicas: 2\n', '  replica: 2\n'));
    const invalid = await run('check', '--format', 'json');
    expect(invalid.code).toBe(1);
    expect((JSON.parse(invalid.stdout) as JsonReport).errors).toEqual([expect.objectContaining({ code: 'schema', file: 'manifests/apps/orders-api/app.yaml', pointer: '/spec/replica' })]);
    expect((await run('check', '--format', 'yaml')).code).toBe(2);
  });

  it('a mandatory policy violation set in the spec names the spec line, in every environment it reaches', async () => {
    edit('manifests/apps/storefront/app.yaml', (t) => t.replace('  replicas: 1\n', '  replicas: 1\n  serviceType: LoadBalancer\n'));
    const err = await refused();
    const line = lineOf('manifests/apps/storefront/app.yaml', 'serviceType');
    for (const env of ['dev', 'staging', 'prod']) {
      expect(err).toContain(`error: manifests/apps/storefront/app.yaml:${line}: [no-load-balancer] rendered/${env}/storefront/service-storefront.yaml at /spec/type: Service "storefront" is of type LoadBalancer, which environment "${env}" does not allow`);
    }
  });

  it('a value set by an overlay is blamed on the overlay', async () => {
    edit('manifests/apps/orders-api/overlays/dev.yaml', (t) => t.replace('tag: 2.9.0', 'tag: edge'));
    const err = await refused();
    expect(err).toContain(`manifests/apps/orders-api/overlays/dev.yaml:${lineOf('manifests/apps/orders-api/overlays/dev.yaml', 'tag: edge')}: [image-immutable] rendered/dev/orders-api/deployment-orders-api.yaml`);
  });

  it('advisory violations warn and do not fail; an environment can make them mandatory (prod: probes)', async () => {
    edit('manifests/apps/orders-worker/app.yaml', (t) => t.replace(/  probes:\n.*\n/, ''));
    const dev = await run('render', '--env', 'dev,staging');
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stderr).toMatch(/^warning: manifests\/apps\/orders-worker\/app\.yaml:\d+: \[probes\] rendered\/dev\/orders-worker\/deployment-orders-worker\.yaml at \/spec\/template\/spec\/containers\/0: container "orders-worker" has neither a readiness nor a liveness probe$/m);
    expect(dev.stderr).toContain('[probes] rendered/staging/orders-worker/deployment-orders-worker.yaml');
    expect(dev.stdout).toContain('checked');
    expect(dev.stdout).toMatch(/2 warnings/);

    project.before = snapshotDir(path('rendered'));
    const err = await refused('--env', 'prod');
    expect(err).toContain('[probes] rendered/prod/orders-worker/deployment-orders-worker.yaml');
  });

  it('exemptions beside the app lift what they name and are listed', async () => {
    edit('manifests/apps/orders-worker/app.yaml', (t) => t.replace(/  probes:\n.*\n/, ''));
    writeFileSync(
      path('manifests/apps/orders-worker/exemptions.yaml'),
      [
        'apiVersion: gitops-bridge.dev/v1alpha1',
        'kind: Exemptions',
        'metadata:',
        '  name: orders-worker',
        'exemptions:',
        '  - policy: probes',
        '    reason: the worker has no port to probe until the metrics endpoint ships (ORD-142)',
        '    environments: [prod]',
        '    resources: [Deployment/orders-worker]',
        '',
      ].join('\n'),
    );
    const r = await run('render', '--env', 'prod');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('exemptions (1):');
    expect(r.stdout).toContain('probes for prod/orders-worker (Deployment/orders-worker): the worker has no port to probe until the metrics endpoint ships (ORD-142) [manifests/apps/orders-worker/exemptions.yaml:6; lifted 1 violation]');
    const json = JSON.parse((await run('check', '--env', 'prod', '--format', 'json')).stdout) as JsonReport;
    expect(json.violations).toEqual([]);
    expect(json.exemptions).toEqual([
      expect.objectContaining({
        policy: 'probes',
        environment: 'prod',
        app: 'orders-worker',
        file: 'manifests/apps/orders-worker/exemptions.yaml',
        line: 6,
        lifted: [expect.objectContaining({ file: 'rendered/prod/orders-worker/deployment-orders-worker.yaml', pointer: '/spec/template/spec/containers/0' })],
      }),
    ]);
    // Only prod is exempt: dev still warns.
    expect((await run('check', '--env', 'dev')).stderr).toContain('[probes]');
  });

  it('an exemptions file is validated: the policy id and the environments', async () => {
    writeFileSync(
      path('manifests/apps/orders-worker/exemptions.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: orders-worker\nexemptions:\n  - policy: probe\n    reason: a reason long enough to pass\n  - policy: probes\n    reason: a reason long enough to pass\n    environments: [prd]\n',
    );
    const err = await refused();
    expect(err).toContain('manifests/apps/orders-worker/exemptions.yaml:6 at /exemptions/0/policy: "policy" must be one of');
    expect(err).toContain('manifests/apps/orders-worker/exemptions.yaml');
    writeFileSync(
      path('manifests/apps/orders-worker/exemptions.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: orders-worker\nexemptions:\n  - policy: probes\n    reason: a reason long enough to pass\n    environments: [prd]\n',
    );
    const err2 = await refused();
    expect(err2).toContain('manifests/apps/orders-worker/exemptions.yaml:8 at /exemptions/0/environments/0: exemption for unknown environment "prd"');
    expect(err2).toContain('did you mean "prod"?');
  });

  it('an unknown policy id in an environment spec is refused with a did-you-mean', async () => {
    edit('manifests/environments/prod.yaml', (t) => t.replace('probes: mandatory', 'probe: mandatory'));
    const err = await refused();
    expect(err).toContain('unknown field "probe"');
    expect(err).toContain('did you mean "probes"?');
  });

  it('an unknown kind is refused until its schema is declared in schemas/crds/', async () => {
    appendFileSync(
      path('manifests/apps/catalog-api/overlays/prod.yaml'),
      'patches:\n  - target: { kind: ConfigMap, name: catalog-api-config }\n    operations:\n      - { op: replace, path: /apiVersion, value: example.com/v1 }\n      - { op: replace, path: /kind, value: Widget }\n',
    );
    const err = await refused();
    expect(err).toContain('[kubernetes-schema] rendered/prod/catalog-api/widget-catalog-api-config.yaml at /apiVersion: no schema for example.com/v1 Widget');
    expect(err).toContain('schemas/crds/example.com/widget_v1.json');
    mkdirSync(path('schemas/crds/example.com'), { recursive: true });
    writeFileSync(
      path('schemas/crds/example.com/widget_v1.json'),
      JSON.stringify({ type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, data: { type: 'object', additionalProperties: { type: 'string' } } } }),
    );
    const r = await run('render', '--env', 'prod');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ prod/catalog-api/widget-catalog-api-config.yaml');
  });
});
