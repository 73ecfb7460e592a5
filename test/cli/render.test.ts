/** `render` and `check` as a user runs them: summaries, staleness, filters, pruning, determinism. */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliProcess, editFile, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';

let project: { root: string; cleanup: () => void };
beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.cleanup());

const path = (rel: string) => join(project.root, rel);
const edit = (rel: string, fn: (text: string) => string) => editFile(path(rel), fn);
const root = () => ['--root', project.root];

describe('render', () => {
  it('re-rendering the committed example changes nothing and says so', async () => {
    const before = snapshotDir(path('rendered'));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rendered 3 environments \(dev, prod, staging\), 8 apps \(24 deployments\), \d+ resources into rendered\/: 0 added, 0 changed, 0 removed, \d+ unchanged/);
    expect(snapshotDir(path('rendered'))).toEqual(before);
  });

  it('one overlay value changes exactly the files it should; check fails naming them until render runs', async () => {
    const before = snapshotDir(path('rendered'));
    edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('replicas: 4', 'replicas: 6'));

    const check = await cli([...root(), 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('rendered/ is stale: 0 added, 1 changed, 0 removed');
    expect(check.stderr).toContain('~ prod/orders-api/deployment-orders-api.yaml');
    expect(check.stderr).toContain('npm run render');

    const render = await cli([...root(), 'render']);
    expect(render.code).toBe(0);
    expect(render.stdout).toContain('0 added, 1 changed, 0 removed');
    const after = snapshotDir(path('rendered'));
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed).toEqual(['prod/orders-api/deployment-orders-api.yaml']);
    expect(after.get(changed[0]!)).toContain('replicas: 6');
    expect((await cli([...root(), 'check'])).code).toBe(0);
  });

  it('a config change rolls the pods: ConfigMap and Deployment checksum both change', async () => {
    edit('manifests/apps/catalog-api/overlays/prod.yaml', (t) => t.replace('LOG_LEVEL: warn', 'LOG_LEVEL: error'));
    const r = await cli([...root(), 'render']);
    expect(r.stdout).toContain('~ prod/catalog-api/configmap-catalog-api-config.yaml');
    expect(r.stdout).toContain('~ prod/catalog-api/deployment-catalog-api.yaml');
    expect(r.stdout).toContain('0 added, 2 changed, 0 removed');
  });

  it('a bridge value change reaches every manifest that uses it, in that environment only', async () => {
    edit('infra/outputs/staging.json', (t) => t.replace(/"orders_api_iam_role_arn": "[^"]+"/, '"orders_api_iam_role_arn": "arn:aws:iam::321098765432:role/renamed"'));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ staging/orders-api/serviceaccount-orders-api.yaml');
    expect(r.stdout).toContain('~ staging/cluster-metadata/configmap-cluster-metadata.yaml');
    expect(r.stdout).not.toMatch(/ (dev|prod)\//);
    expect(readFileSync(path('rendered/staging/orders-api/serviceaccount-orders-api.yaml'), 'utf8')).toContain('eks.amazonaws.com/role-arn: arn:aws:iam::321098765432:role/renamed');
  });

  it('removing an app prunes its files; removing a resource prunes its file', async () => {
    rmSync(path('manifests/apps/invoice-report'), { recursive: true });
    edit('manifests/apps/storefront/overlays/staging.yaml', (t) => t.replace('  disruptionBudget:\n    minAvailable: 1\n', ''));
    const r = await cli([...root(), 'render']);
    expect(r.code).toBe(0);
    const after = snapshotDir(path('rendered'));
    expect([...after.keys()].some((k) => k.includes('invoice-report'))).toBe(false);
    expect(after.has('staging/storefront/poddisruptionbudget-storefront.yaml')).toBe(false);
    expect(after.has('prod/storefront/poddisruptionbudget-storefront.yaml')).toBe(true);
    expect(r.stdout).toContain('- dev/invoice-report/cronjob-invoice-report.yaml');
  });

  it('--env and --app never touch what they did not select', async () => {
    edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('LOG_LEVEL: info', 'LOG_LEVEL: notice'));
    edit('manifests/apps/catalog-api/app.yaml', (t) => t.replace('CACHE_TTL_SECONDS: "300"', 'CACHE_TTL_SECONDS: "600"'));
    const before = snapshotDir(path('rendered'));
    const r = await cli([...root(), 'render', '--env', 'staging', '--app', 'orders-api']);
    expect(r.code).toBe(0);
    const after = snapshotDir(path('rendered'));
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    expect(changed).toEqual(['staging/orders-api/configmap-orders-api-config.yaml', 'staging/orders-api/deployment-orders-api.yaml']);
    // the rest is still stale, and check says where
    const check = await cli([...root(), 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('~ staging/catalog-api/configmap-catalog-api-config.yaml');
    expect(check.stderr).not.toContain('staging/orders-api/');
    // a filtered check only looks at its selection
    expect((await cli([...root(), 'check', '--env', 'staging', '--app', 'orders-api'])).code).toBe(0);
  });

  it('--dry-run shows the change and writes nothing', async () => {
    edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('replicas: 4', 'replicas: 5'));
    const before = snapshotDir(path('rendered'));
    const r = await cli([...root(), 'render', '--dry-run']);
    expect(r.stdout).toContain('would render');
    expect(r.stdout).toContain('~ prod/orders-api/deployment-orders-api.yaml');
    expect(snapshotDir(path('rendered'))).toEqual(before);
  });

  it('an unknown --env is a usage error (exit 2) with a suggestion', async () => {
    const r = await cli([...root(), 'render', '--env', 'prd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown environment "prd"');
    expect(r.stderr).toContain('did you mean "prod"?');
  });

  it('rendered/ is created from scratch when missing, and stray files in it are pruned', async () => {
    const expected = snapshotDir(path('rendered'));
    rmSync(path('rendered'), { recursive: true });
    expect((await cli([...root(), 'render'])).code).toBe(0);
    expect(snapshotDir(path('rendered'))).toEqual(expected);
    writeFileSync(path('rendered/dev/storefront/notes.txt'), 'hand edit');
    const check = await cli([...root(), 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('- dev/storefront/notes.txt');
    await cli([...root(), 'render']);
    expect(snapshotDir(path('rendered'))).toEqual(expected);
  });

  it('every command has --help, and no command is a usage error', async () => {
    for (const c of ['render', 'check']) {
      const r = await cli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: gitops-bridge ${c}`);
      expect(r.stdout).toContain('Examples:');
    }
    expect((await cli([])).code).toBe(2);
    expect((await cli(['render', '--bogus'])).code).toBe(2);
  });
});

describe('determinism', () => {
  it('byte-identical output twice, under another time zone and locale, and from another working directory', async () => {
    const expected = snapshotDir(join(repoRoot, 'rendered'));
    rmSync(path('rendered'), { recursive: true });
    const elsewhere = scratchDir('gitops-bridge-elsewhere-');
    try {
      cpSync(project.root, elsewhere, { recursive: true });

      // A process of its own, for the time zone and locale (fixed when a process starts) ...
      const first = cliProcess(['--root', project.root, 'render'], { env: { TZ: 'Asia/Kolkata', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
      // ... while, in this one (another working directory: this repository, itself a project),
      // a copy of the project at another path renders the same bytes.
      const third = await cli(['--root', elsewhere, 'render']);
      expect(third.code, third.stderr).toBe(0);
      expect(snapshotDir(join(elsewhere, 'rendered'))).toEqual(expected);

      const r = await first;
      expect(r.code, r.stderr).toBe(0);
      expect(snapshotDir(path('rendered'))).toEqual(expected);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }

    // from a subdirectory of the project, with no --root: found by walking up
    const other = await cliProcess(['render'], { cwd: path('manifests/apps'), env: { TZ: 'America/St_Johns', LANG: 'C' } });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('0 added, 0 changed, 0 removed');
  });
});
