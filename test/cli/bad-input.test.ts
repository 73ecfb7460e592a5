/**
 * Bad input, end to end through the CLI: a clear error naming the file, the place and what to
 * do, exit 1, and rendered/ byte-for-byte unchanged.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, eachExampleProject, snapshotDir } from '../helpers.js';

const project = eachExampleProject();
const { path, edit } = project;

async function renderFails(): Promise<string> {
  const r = await cli(['--root', project.root, 'render']);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain('nothing was written');
  expect(snapshotDir(path('rendered'))).toEqual(project.before);
  // check reports the same problem and writes nothing either
  const c = await cli(['--root', project.root, 'check']);
  expect(c.code).toBe(1);
  return r.stderr;
}

describe('bad input', () => {
  it('YAML syntax error: file and line', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  replicas: 2\n', '  replicas: [2\n'));
    const err = await renderFails();
    expect(err).toMatch(/manifests\/apps\/orders-api\/app\.yaml:\d+: YAML syntax error/);
    expect(err).toContain('hint:');
  });

  it('duplicate key: file and the line of the second key', async () => {
    writeFileSync(
      path('manifests/apps/catalog-api/overlays/prod.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: AppOverlay\nmetadata:\n  name: catalog-api\n  environment: prod\nspec:\n  replicas: 3\n  replicas: 5\n',
    );
    const err = await renderFails();
    expect(err).toContain('manifests/apps/catalog-api/overlays/prod.yaml:8: duplicate key');
  });

  it('schema violation: unknown field with did-you-mean, JSON pointer and line', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  replicas: 2\n', '  replica: 2\n'));
    const err = await renderFails();
    const line = readFileSync(path('manifests/apps/orders-api/app.yaml'), 'utf8').split('\n').indexOf('  replica: 2') + 1;
    expect(err).toContain(`manifests/apps/orders-api/app.yaml:${line} at /spec/replica: unknown field "replica"`);
    expect(err).toContain('did you mean "replicas"?');
  });

  it('schema violation in an overlay is blamed on the overlay, at its line', async () => {
    edit('manifests/apps/storefront/overlays/prod.yaml', (t) => t.replace('minReplicas: 3', 'minReplicas: 0'));
    const err = await renderFails();
    const text = readFileSync(path('manifests/apps/storefront/overlays/prod.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('minReplicas: 0')) + 1;
    expect(err).toContain(`manifests/apps/storefront/overlays/prod.yaml:${line} at /spec/autoscaling/minReplicas`);
  });

  it('a mutable image tag is refused', async () => {
    edit('manifests/apps/catalog-api/app.yaml', (t) => t.replace('tag: 1.22.3', 'tag: latest'));
    const err = await renderFails();
    expect(err).toMatch(/catalog-api\/app\.yaml:\d+ at \/spec\/image\/tag/);
  });

  it('unknown bridge key: names the app, the environment, the key and the snapshot', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('fromBridge: orders_db_endpoint', 'fromBridge: orders_db_endpiont'));
    const err = await renderFails();
    expect(err).toContain('app "orders-api" in environment "dev" references bridge key "orders_db_endpiont", which infra/outputs/dev.json does not have');
    expect(err).toContain('did you mean "orders_db_endpoint"?');
    expect(err).toMatch(/manifests\/apps\/orders-api\/app\.yaml:\d+ at \/spec\/env\/1\/fromBridge/);
  });

  it('unknown bridge key inside a ${bridge.*} reference in an overlay', async () => {
    appendFileSync(path('manifests/apps/catalog-api/overlays/prod.yaml'), '  podAnnotations:\n    owner: ${bridge.no_such_key}\n');
    const err = await renderFails();
    expect(err).toContain('app "catalog-api" in environment "prod" references bridge key "no_such_key", which infra/outputs/prod.json does not have');
    expect(err).toMatch(/catalog-api\/overlays\/prod\.yaml:\d+ at \/spec\/podAnnotations\/owner/);
  });

  it('a "[secret]" value in a snapshot is refused, naming the key', async () => {
    edit('infra/outputs/staging.json', (t) => t.replace('{\n', '{\n  "orders_db_password": "[secret]",\n'));
    const err = await renderFails();
    expect(err).toContain('infra/outputs/staging.json:2 at /orders_db_password: "orders_db_password" is a secret and must not cross the bridge');
  });

  it('a credential-looking value in a snapshot is refused', async () => {
    edit('infra/outputs/dev.json', (t) => t.replace('{\n', '{\n  "ci_user_key": "AKIAIOSFODNN7EXAMPLE",\n'));
    const err = await renderFails();
    expect(err).toContain('"ci_user_key" is a secret');
    expect(err).toContain('AWS access key');
  });

  it('two resources that would share a file', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) =>
      t.replace('  externalSecrets:\n', '  externalSecrets:\n    - name: orders-db\n      data:\n        - secretKey: other\n          remoteKey: other\n'),
    );
    const err = await renderFails();
    expect(err).toContain('dev/orders-api/externalsecret-orders-db.yaml would hold two objects');
    expect(err).toContain('manifests/apps/orders-api/app.yaml');
  });

  it('an app directory name that is not a DNS-1123 label', async () => {
    renameSync(path('manifests/apps/catalog-api'), path('manifests/apps/Catalog_API'));
    const err = await renderFails();
    expect(err).toContain('manifests/apps/Catalog_API/app.yaml: app name "Catalog_API" is not a DNS-1123 label');
  });

  it('an app name that tries to leave its directory', async () => {
    edit('manifests/apps/catalog-api/app.yaml', (t) => t.replace('name: catalog-api', 'name: ../../etc'));
    const err = await renderFails();
    expect(err).toMatch(/manifests\/apps\/catalog-api\/app\.yaml:\d+ at \/metadata\/name/);
  });

  it('a reserved app name', async () => {
    mkdirSync(path('manifests/apps/namespaces'));
    writeFileSync(path('manifests/apps/namespaces/app.yaml'), readFileSync(path('manifests/apps/catalog-api/app.yaml'), 'utf8').replace('name: catalog-api', 'name: namespaces'));
    const err = await renderFails();
    expect(err).toContain('"namespaces" is reserved');
  });

  it('a YAML alias bomb is refused quickly', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    writeFileSync(path('manifests/apps/catalog-api/overlays/prod.yaml'), bomb + '\n');
    const started = Date.now();
    const err = await renderFails();
    expect(Date.now() - started).toBeLessThan(20_000); // generous: the point is it never expands 9^9 nodes
    expect(err).toContain('manifests/apps/catalog-api/overlays/prod.yaml:2: YAML anchors and aliases');
  });

  it('an overlay for an unknown environment', async () => {
    renameSync(path('manifests/apps/catalog-api/overlays/prod.yaml'), path('manifests/apps/catalog-api/overlays/prd.yaml'));
    const err = await renderFails();
    expect(err).toContain('overlay for unknown environment "prd"');
    expect(err).toContain('did you mean overlays/prod.yaml?');
  });

  it('a missing snapshot says how to make one', async () => {
    renameSync(path('infra/outputs/prod.json'), path('infra/outputs/prod.json.bak'));
    const err = await renderFails();
    expect(err).toContain('infra/outputs/prod.json: environment "prod" has no stack-outputs snapshot');
    expect(err).toContain('npm run infra:outputs -- --stack prod');
  });

  it('a failing JSON 6902 patch names the overlay operation', async () => {
    edit('manifests/apps/storefront/overlays/prod.yaml', (t) => t.replace('op: add', 'op: replace').replace('/spec/template/spec/topologySpreadConstraints', '/spec/template/spec/nope/x'));
    const err = await renderFails();
    expect(err).toMatch(/storefront\/overlays\/prod\.yaml:\d+ at \/patches\/0\/operations\/0: patch on Rollout "storefront" failed/);
  });

  it('several problems are reported in one run', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  replicas: 2\n', '  replica: 2\n'));
    edit('manifests/apps/catalog-api/app.yaml', (t) => t.replace('tag: 1.22.3', 'tag: latest'));
    const err = await renderFails();
    expect(err).toContain('orders-api/app.yaml');
    expect(err).toContain('catalog-api/app.yaml');
    expect(err).toMatch(/2 errors; nothing was written/);
  });
});
