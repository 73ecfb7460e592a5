/**
 * Errors that point at the line that caused them (issue #18): each case through the CLI, with the
 * file, line, pointer and hint it must name, exit 1, and rendered/ byte-for-byte unchanged.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, eachExampleProject, snapshotDir } from '../helpers.js';

const project = eachExampleProject();
const { path, edit, lineOf } = project;

async function renderFails(): Promise<string> {
  const r = await cli(['--root', project.root, 'render']);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain('nothing was written');
  expect(r.stderr).not.toContain('internal error');
  expect(snapshotDir(path('rendered'))).toEqual(project.before);
  return r.stderr;
}

const STOREFRONT_PROD = 'manifests/apps/storefront/overlays/prod.yaml';
const addOperation = (op: string) => (t: string) => t.replace('                app.kubernetes.io/name: storefront\n', `                app.kubernetes.io/name: storefront\n${op}`);

describe('errors point at the line that caused them', () => {
  it('a failing JSON 6902 operation is named by its own index and line', async () => {
    edit(STOREFRONT_PROD, addOperation('      - op: replace\n        path: /spec/template/spec/nope/x\n        value: 1\n'));
    const err = await renderFails();
    const line = lineOf(STOREFRONT_PROD, '- op: replace');
    expect(err).toContain(`${STOREFRONT_PROD}:${line} at /patches/0/operations/1: patch on Rollout "storefront" failed at operation 1 (replace /spec/template/spec/nope/x)`);
    expect(err).toContain('hint: /spec/template/spec/nope does not exist on the object when this patch runs');
  });

  it('an add under /metadata/annotations before they exist says so and what to do', async () => {
    edit(STOREFRONT_PROD, addOperation('      - op: add\n        path: /metadata/annotations/team.example.com~1owner\n        value: web\n'));
    const err = await renderFails();
    const line = lineOf(STOREFRONT_PROD, 'path: /metadata/annotations') - 1;
    expect(err).toContain(`${STOREFRONT_PROD}:${line} at /patches/0/operations/1:`);
    expect(err).toContain('/metadata/annotations does not exist on the object when this patch runs');
    expect(err).toContain('it is added after overlay patches run');
    expect(err).toContain('`op: add, path: /metadata/annotations, value: {}`');
    expect(err).not.toContain('compare');
  });

  it('the map added first by an earlier operation makes the same patch work', async () => {
    edit(STOREFRONT_PROD, addOperation('      - op: add\n        path: /metadata/annotations\n        value: {}\n      - op: add\n        path: /metadata/annotations/team.example.com~1owner\n        value: web\n'));
    const r = await cli(['--root', project.root, 'render']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path('rendered/prod/storefront/rollout-storefront.yaml'), 'utf8')).toContain('team.example.com/owner: web');
  });

  it('ingress.port set in the base is reported against the base, at its line', async () => {
    const base = 'manifests/apps/storefront/app.yaml';
    edit(base, (t) => t.replace(/\n    port: http\n/, '\n    port: metrics\n'));
    const err = await renderFails();
    expect(err).toContain(`${base}:${lineOf(base, 'port: metrics')} at /spec/ingress/port: ingress.port "metrics" is not a port with a servicePort`);
    expect(err).not.toContain('overlays/');
  });

  it('a PDB removed by a prod overlay is blamed on the overlay, at its line', async () => {
    const overlay = 'manifests/apps/catalog-api/overlays/prod.yaml';
    edit(overlay, (t) => t.replace('  disruptionBudget:\n    minAvailable: 2\n', '  disruptionBudget: null\n'));
    const err = await renderFails();
    expect(err).toContain(`${overlay}:${lineOf(overlay, 'disruptionBudget: null')}: [pdb-in-production]`);
    expect(err).not.toContain('catalog-api/app.yaml');
  });

  it('environments/dev.yml beside dev.yaml: one environment defined twice', async () => {
    copyFileSync(path('manifests/environments/dev.yaml'), path('manifests/environments/dev.yml'));
    const err = await renderFails();
    expect(err).toContain('manifests/environments/dev.yml: environment "dev" is defined twice: manifests/environments/dev.yaml and manifests/environments/dev.yml');
    expect(err).not.toContain('"dev" and "dev"');
  });

  it('an app.yaml that is a directory is named as such', async () => {
    rmSync(path('manifests/apps/catalog-api/app.yaml'));
    mkdirSync(path('manifests/apps/catalog-api/app.yaml'));
    const err = await renderFails();
    expect(err).toContain('manifests/apps/catalog-api/app.yaml: manifests/apps/catalog-api/app.yaml is a directory, not a file');
    expect(err).not.toContain('networkPolicy');
  });

  it('${...} in a YAML flow sequence: a hint to quote the item', async () => {
    const base = 'manifests/apps/storefront/app.yaml';
    edit(base, (t) => t.replace('  replicas: 1\n', '  replicas: 1\n  args: [--queue=${bridge.q}]\n'));
    const err = await renderFails();
    expect(err).toContain(`${base}:${lineOf(base, 'args: [')}: YAML syntax error`);
    expect(err).toContain('hint: `${...}` inside a flow collection ([...] or {...}) must be quoted');
    expect(err).toContain('"--queue=${bridge.q}"');
  });

  it('no-credentials and no-plaintext-secret cannot be exempted: the exemption file is the error', async () => {
    const file = 'manifests/apps/orders-api/exemptions.yaml';
    writeFileSync(
      path(file),
      [
        'apiVersion: gitops-bridge.dev/v1alpha1',
        'kind: Exemptions',
        'metadata:',
        '  name: orders-api',
        'exemptions:',
        '  - policy: no-credentials',
        '    reason: the vendor SDK needs the key in env',
        '  - policy: no-plaintext-secret',
        '    reason: the legacy client reads its password from this Secret',
        '',
      ].join('\n'),
    );
    const err = await renderFails();
    expect(err).toContain(`${file}:6 at /exemptions/0/policy: policy "no-credentials" cannot be exempted`);
    expect(err).toContain(`${file}:8 at /exemptions/1/policy: policy "no-plaintext-secret" cannot be exempted`);
    expect(err).toContain('spec.externalSecrets');
  });
});

describe('infra:outputs --from-json names the file given', () => {
  it('a secret in the given file is reported there, at its line; the snapshot is untouched', async () => {
    const given = path('given-outputs.json');
    const snapshot = readFileSync(path('infra/outputs/dev.json'), 'utf8');
    writeFileSync(given, snapshot.replace('{\n', '{\n  "db_password": "[secret]",\n'));
    const r = await cli(['--root', project.root, 'infra-outputs', '--stack', 'dev', '--from-json', given]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`${given}:2 at /db_password: stack output "db_password" is a secret`);
    expect(r.stderr).not.toContain('infra/outputs/dev.json');
    expect(readFileSync(path('infra/outputs/dev.json'), 'utf8')).toBe(snapshot);
  });

  it('invalid JSON in the given file names it', async () => {
    const given = path('broken.json');
    writeFileSync(given, '{\n  "a": 1,\n}\n');
    const r = await cli(['--root', project.root, 'infra-outputs', '--stack', 'dev', '--from-json', given]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${given}`);
    expect(r.stderr).toContain('JSON syntax error');
  });
});
