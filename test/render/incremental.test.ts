/**
 * The incremental render: with or without the cache, in this thread or across worker threads,
 * the same bytes and the same check report as the reference (the engine with no cache, in this
 * thread, test/helpers.ts referenceRender); every kind of input
 * invalidates what depends on it; a corrupt or unreadable cache is ignored.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticFleet, writeFiles } from '../../bench/synthetic-fleet.js';
import { loadFleet } from '../../generators/load/fleet.js';
import { readSources } from '../../generators/workspace/inputs.js';
import { codeKey } from '../../generators/workspace/code-key.js';
import { inProcessExecutor, renderFleet, type UnitRecord } from '../../generators/engine/engine.js';
import { cli, editFile, expectSameAsReference, MemoryCache, repoRoot, snapshotDir } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'gitops-bridge-incremental-'));
  dirs.push(d);
  return d;
}

/** A project: the synthetic fleet (apps x 3 environments), or the example's inputs. */
function project(kind: 'example' | { apps: number }): string {
  const root = tempDir();
  if (kind === 'example') {
    for (const entry of ['manifests', 'infra/outputs', 'schemas/crds']) {
      writeFiles(root, new Map([...readSources(repoRoot)].filter(([p]) => p.startsWith(entry + '/'))));
    }
  } else writeFiles(root, syntheticFleet({ apps: kind.apps, envs: 3 }));
  writeFileSync(join(root, 'package.json'), '{}\n');
  return root;
}

const edit = (root: string, rel: string, fn: (text: string) => string) => editFile(join(root, rel), fn);



describe('the engine', () => {
  it('gives the reference exactly, cold and then from the cache', async () => {
    const root = project('example');
    const cache = new MemoryCache();
    const cold = await expectSameAsReference(root, cache);
    expect(cold.stats).toMatchObject({ cached: 0, rendered: cold.stats.units });
    expect(cold.contents.size).toBe(cold.files.size);
    const warm = await expectSameAsReference(root, cache);
    expect(warm.stats).toMatchObject({ cached: warm.stats.units, rendered: 0 });
    // Only the hub is serialised when everything comes from the cache.
    expect([...warm.contents.keys()].every((p) => p.startsWith('argocd/'))).toBe(true);
  });

  it('gives the same across worker threads as in this thread', async () => {
    const root = project({ apps: 12 });
    const inc = await expectSameAsReference(root, undefined, 'workers');
    expect(inc.stats.rendered).toBe(inc.stats.units);
  });

  it('renders again exactly the units whose input changed, whatever the kind of input', async () => {
    const root = project({ apps: 12 });
    const cache = new MemoryCache();
    await expectSameAsReference(root, cache);
    const rendered = async () => (await expectSameAsReference(root, cache)).stats.rendered;

    // The app spec: that app, in its three environments; the hub reads nothing that changed.
    edit(root, 'manifests/apps/svc-0003/app.yaml', (t) => t.replace('tag: 1.0.0', 'tag: 1.0.1'));
    const stats = (await expectSameAsReference(root, cache)).stats;
    expect(stats).toMatchObject({ rendered: 3, hubCached: true });
    // An overlay: that app in that environment.
    edit(root, 'manifests/apps/svc-0003/overlays/prod.yaml', (t) => t.replace('replicas: 3', 'replicas: 4'));
    expect(await rendered()).toBe(1);
    // An overlay patch.
    edit(root, 'manifests/apps/svc-0004/overlays/dev.yaml', (t) => `${t}patches:\n  - target: { kind: Deployment, name: svc-0004 }\n    operations:\n      - { op: add, path: /spec/minReadySeconds, value: 5 }\n`);
    expect(await rendered()).toBe(1);
    // The environment spec: every unit of that environment.
    edit(root, 'manifests/environments/staging.yaml', (t) => t.replace('pods: 40', 'pods: 41'));
    expect(await rendered()).toBe(14);
    // The snapshot: every unit of that environment.
    edit(root, 'infra/outputs/dev.json', (t) => t.replace('"aws_region": "eu-west-1"', '"aws_region": "eu-west-2"'));
    expect(await rendered()).toBe(14);
    // An app's namespace (network policy peers read every app's): the environments it moves in.
    edit(root, 'manifests/apps/svc-0011/app.yaml', (t) => t.replace('namespace: team-001', 'namespace: team-009'));
    const moved = (await expectSameAsReference(root, cache)).stats;
    expect(moved).toMatchObject({ rendered: 3 * 14, hubCached: false });
    // Nothing changed: nothing rendered.
    expect(await rendered()).toBe(0);
  });

  it('a new declared CRD schema or other generator code keys every unit anew', async () => {
    const root = project({ apps: 3 });
    const sources = readSources(root);
    const fleet = loadFleet(sources);
    const cache = new MemoryCache();
    const run = (key: string) => renderFleet(fleet, {}, { cache, codeKey: key, executor: inProcessExecutor(undefined) });
    expect((await run('a')).stats.cached).toBe(0);
    expect((await run('a')).stats.rendered).toBe(0);
    expect((await run('b')).stats.cached).toBe(0);
    const crd = JSON.stringify({ type: 'object' });
    expect(codeKey([['schemas/crds/example.com/widget_v1.json', crd]])).not.toBe(codeKey([]));
    expect(codeKey([['schemas/crds/example.com/widget_v1.json', crd]])).not.toBe(codeKey([['schemas/crds/example.com/widget_v1.json', crd + ' ']]));
  });

  it('checks a cached unit again when a sibling it looked at changed (a PodDisruptionBudget of another app)', async () => {
    const root = project({ apps: 2 });
    // svc-0000 in prod loses its own PDB; svc-0001's PDB covers its pods instead (a patch on the selector).
    edit(root, 'manifests/apps/svc-0000/overlays/prod.yaml', (t) => t.replace('disruptionBudget:\n    maxUnavailable: 1\n', ''));
    edit(
      root,
      'manifests/apps/svc-0001/overlays/prod.yaml',
      (t) => `${t}patches:\n  - target: { kind: PodDisruptionBudget, name: svc-0001 }\n    operations:\n      - { op: replace, path: /spec/selector/matchLabels, value: { app.kubernetes.io/part-of: bench } }\n`,
    );
    const cache = new MemoryCache();
    const first = await expectSameAsReference(root, cache);
    expect(first.check.violations.filter((v) => v.policy === 'pdb-in-production')).toEqual([]);
    // The patch goes: svc-0000's unit is unchanged, but the PDB it relied on no longer covers it.
    edit(root, 'manifests/apps/svc-0001/overlays/prod.yaml', (t) => t.slice(0, t.indexOf('patches:')));
    const second = await expectSameAsReference(root, cache);
    expect(second.stats).toMatchObject({ rendered: 1, rechecked: 1 });
    expect(second.check.violations.map((v) => `${v.policy} ${v.file}`)).toContain('pdb-in-production rendered/prod/svc-0000/deployment-svc-0000.yaml');
  });
});

describe('render and check with the cache on disk', () => {
  it('write the same bytes as --no-cache, and check passes either way', async () => {
    const a = project({ apps: 8 });
    const b = project({ apps: 8 });
    expect((await cli(['--root', a, 'render', '-q'])).code).toBe(0);
    expect((await cli(['--root', b, 'render', '-q', '--no-cache'])).code).toBe(0);
    expect(snapshotDir(join(a, 'rendered'))).toEqual(snapshotDir(join(b, 'rendered')));
    expect(readFileSync(join(a, '.cache/gitops-bridge/.gitignore'), 'utf8')).toContain('*');
    expect(() => readFileSync(join(b, '.cache/gitops-bridge/units.json'))).toThrow();

    for (const variant of [1, 2]) {
      const app = syntheticFleet({ apps: 1, envs: 3 }, variant).get('manifests/apps/svc-0000/app.yaml')!;
      writeFiles(a, new Map([['manifests/apps/svc-0000/app.yaml', app]]));
      writeFiles(b, new Map([['manifests/apps/svc-0000/app.yaml', app]]));
      const r = await cli(['--root', a, 'render']);
      expect(r.stdout).toMatch(/ 0 added, \d+ changed, 0 removed, \d+ unchanged/);
      await cli(['--root', b, 'render', '-q', '--no-cache']);
      expect(snapshotDir(join(a, 'rendered'))).toEqual(snapshotDir(join(b, 'rendered')));
    }
    expect((await cli(['--root', a, 'check'])).code).toBe(0);
    expect((await cli(['--root', a, 'check', '--no-cache'])).code).toBe(0);
    expect((await cli(['--root', b, 'check'])).code).toBe(0);
  });

  it('notices a hand edit of a rendered file the cache has seen, and rewrites it', async () => {
    const root = project({ apps: 3 });
    await cli(['--root', root, 'render', '-q']);
    const expected = snapshotDir(join(root, 'rendered'));
    // Same size, other bytes.
    edit(root, 'rendered/dev/svc-0001/service-svc-0001.yaml', (t) => t.replace('port: 80', 'port: 81'));
    const check = await cli(['--root', root, 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('~ dev/svc-0001/service-svc-0001.yaml');
    const r = await cli(['--root', root, 'render']);
    expect(r.stdout).toContain('0 added, 1 changed, 0 removed');
    expect(snapshotDir(join(root, 'rendered'))).toEqual(expected);
  });

  it('reuses the last run when code, inputs and selection are unchanged, and reports exactly what a fresh run reports', async () => {
    const root = project('example');
    // A warning (no probes in dev, where the policy is advisory) and an exemption.
    edit(root, 'manifests/apps/catalog-api/overlays/dev.yaml', (t) => `${t}  probes: null\n`);
    writeFileSync(
      join(root, 'manifests/apps/catalog-api/exemptions.yaml'),
      'apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: catalog-api\nexemptions:\n  - policy: image-immutable\n    reason: the test needs an exemption that lifts nothing\n',
    );
    await cli(['--root', root, 'render', '-q']);
    const fresh = await cli(['--root', root, 'check', '--format', 'json', '--no-cache']);
    expect(JSON.parse(fresh.stdout).violations.length).toBeGreaterThan(0);
    const memo = await cli(['--root', root, 'check', '--format', 'json']);
    expect(memo.stdout).toBe(fresh.stdout);
    expect(memo.stderr).toBe(fresh.stderr);
    expect(JSON.parse(memo.stdout).exemptions.length).toBeGreaterThan(0);
    // Same for the summary of a render, and for a filtered one.
    const a = await cli(['--root', root, 'render', '--env', 'prod']);
    const b = await cli(['--root', root, 'render', '--env', 'prod']);
    expect(b.stdout).toBe(a.stdout);
    expect((await cli(['--root', root, 'render', '--env', 'prod', '--no-cache'])).stdout).toBe(a.stdout);
    // A comment added to an input file is a new input: the fleet is loaded again.
    edit(root, 'manifests/apps/orders-api/app.yaml', (t) => `# reviewed\n${t}`);
    expect((await cli(['--root', root, 'check', '--format', 'json'])).stdout).toBe(fresh.stdout);
  });

  it('an error in an input file the parse cache holds still names its line', async () => {
    const root = project('example');
    await cli(['--root', root, 'render', '-q']);
    expect(readFileSync(join(root, '.cache/gitops-bridge/parsed.json'), 'utf8')).toContain('orders_db_endpoint');
    // orders-api/app.yaml is unchanged (served from the cache); the snapshot it reads loses a key.
    edit(root, 'infra/outputs/dev.json', (t) => t.replace('"orders_db_endpoint"', '"orders_db_endpoint_old"'));
    const r = await cli(['--root', root, 'render']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifests\/apps\/orders-api\/app\.yaml:\d+ at \/spec\/env\/1\/fromBridge/);
    const fresh = await cli(['--root', root, 'render', '--no-cache']);
    expect(fresh.stderr).toBe(r.stderr);
  });

  it('ignores a corrupt, foreign or unreadable cache, and replaces it', async () => {
    const root = project({ apps: 3 });
    await cli(['--root', root, 'render', '-q']);
    const expected = snapshotDir(join(root, 'rendered'));
    const cache = join(root, '.cache/gitops-bridge');
    const units = JSON.parse(readFileSync(join(cache, 'units.json'), 'utf8')) as { units: Record<string, [string, UnitRecord]> };
    const [unit, [key]] = Object.entries(units.units)[0]!;
    const corruptions: [string, () => void][] = [
      ['not JSON', () => writeFileSync(join(cache, 'units.json'), '{"version": 1, "units": {')],
      ['another version', () => writeFileSync(join(cache, 'units.json'), JSON.stringify({ ...units, version: 99 }))],
      ['a record of the wrong shape', () => writeFileSync(join(cache, 'units.json'), JSON.stringify({ version: 1, units: { [unit]: [key, { files: 'x' }] } }))],
      ['hashes that do not match rendered/', () => writeFileSync(join(cache, 'units.json'), JSON.stringify({ version: 1, units: Object.fromEntries(Object.entries(units.units).map(([u, [k, r]]) => [u, [k, { ...r, files: r.files.map(([n]) => [n, '0'.repeat(40)]) }]])) }))],
      ['a manifest of garbage', () => writeFileSync(join(cache, 'rendered.json'), '\u0000\u0001garbage')],
      ['a last run of the wrong shape', () => writeFileSync(join(cache, 'last-run.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(cache, 'last-run.json'), 'utf8')), hashes: 7 }))],
      ['a source manifest of garbage', () => writeFileSync(join(cache, 'sources.json'), '[')],
      ['a parse cache of garbage', () => writeFileSync(join(cache, 'parsed.json'), '{"version": 1, "key"')],
      ['a parse cache made by other code', () => writeFileSync(join(cache, 'parsed.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(cache, 'parsed.json'), 'utf8')), key: 'other code' }))],
      ['unreadable files (directories in their place)', () => {
        rmSync(cache, { recursive: true, force: true });
        mkdirSync(join(cache, 'units.json'), { recursive: true });
        mkdirSync(join(cache, 'rendered.json'), { recursive: true });
      }],
    ];
    for (const [what, corrupt] of corruptions) {
      corrupt();
      rmSync(join(root, 'rendered/prod'), { recursive: true });
      const r = await cli(['--root', root, 'render']);
      expect(r.code, what).toBe(0);
      expect(snapshotDir(join(root, 'rendered')), what).toEqual(expected);
      expect((await cli(['--root', root, 'check'])).code, what).toBe(0);
    }
  });
});
