/**
 * `npm run diff` as a user runs it, on real renders of the example fleet committed to a
 * temporary git repository: the three formats, the exit codes, the bases, and no noise.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { removeRepoTemplate, repoProject, validateDiffJson, type RepoProject } from './fixture.js';
import { scratchDir } from '../scratch.js';

let p: RepoProject;
beforeEach(async () => {
  p = await repoProject();
});
afterEach(() => p.cleanup());
afterAll(removeRepoTemplate);

const IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/orders-api';

/** An image tag changed in prod only. */
const changeProdImage = () =>
  p.edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('spec:\n  replicas: 4', 'spec:\n  image:\n    tag: 2.9.0\n  replicas: 4'));
/** invoice-report taken out of dev. */
const deleteDevApp = () => {
  p.edit('manifests/apps/invoice-report/app.yaml', (t) => t.replace('spec:\n  team: finance', 'spec:\n  environments: [staging, prod]\n  team: finance'));
  rmSync(p.path('manifests/apps/invoice-report/overlays/dev.yaml'));
};
/** A new env var for orders-api, everywhere. */
const addEnvVar = () =>
  p.edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('  env:\n', '  env:\n    - name: CHECKOUT_FLOW\n      value: v2\n'));

async function json(...args: string[]) {
  const r = await p.diff('--format', 'json', ...args);
  expect(r.code, r.stderr).toBe(0);
  const value = JSON.parse(r.stdout) as any;
  expect(validateDiffJson(value)).toEqual([]);
  return value;
}

describe('diff against rendered/ at HEAD', () => {
  it('no change: says so in every format, and exits 0 even with --exit-code', async () => {
    const t = await p.diff();
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^No changes: the render matches rendered\/ at HEAD \([0-9a-f]{7}\) \(\d+ resources compared\)\.$/);
    expect((await p.diff('--exit-code')).code).toBe(0);
    const j = await json();
    expect(j.hasChanges).toBe(false);
    expect(j.environments).toEqual([]);
    expect(j.compared).toEqual(expect.arrayContaining([{ name: 'dev', tier: 'development' }, { name: 'prod', tier: 'production' }, { name: 'staging', tier: 'staging' }]));
    const m = await p.diff('--format', 'markdown');
    expect(m.stdout).toContain('### Rendered manifests: no changes');
  });

  it('an image tag changed in prod: terminal, markdown and json all show it, flagged', async () => {
    changeProdImage();

    const t = await p.diff();
    expect(t.code).toBe(0);
    expect(t.stdout).not.toContain('\u001b['); // not a TTY: no colour
    expect(t.stdout).toContain('prod (production)');
    expect(t.stdout).toContain('  orders-api  0 added, ');
    expect(t.stdout).toContain('    ~ Deployment orders/orders-api changed  prod/orders-api/deployment-orders-api.yaml');
    expect(t.stdout).toContain(`      ! image: ${IMAGE} 2.8.1 -> 2.9.0`);
    expect(t.stdout).toContain('      ! production: changed in a production environment');
    expect(t.stdout).toContain(`      -          image: ${IMAGE}:2.8.1`);
    expect(t.stdout).toContain(`      +          image: ${IMAGE}:2.9.0`);
    expect(t.stdout).toMatch(/^      @@ -\d+,\d+ \+\d+,\d+ @@$/m);
    expect(t.stdout).not.toMatch(/^(dev|staging) /m);
    expect(t.stdout).toMatch(/0 added, \d+ changed, 0 removed, \d+ unchanged, against rendered\/ at HEAD \([0-9a-f]{7}\)$/);

    expect((await p.diff('--exit-code')).code).toBe(1);

    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m.startsWith('<!-- gitops-bridge:diff -->\n### Rendered manifests: 0 added, ')).toBe(true);
    const risks = m.slice(m.indexOf('#### ⚠️ Risky changes'), m.indexOf('| Environment |'));
    expect(risks).toContain(`- \`prod/orders-api\` Deployment orders/orders-api changed: **production**, **image** \`${IMAGE} 2.8.1 -> 2.9.0\``);
    expect(m.indexOf('Risky changes')).toBeLessThan(m.indexOf('| Environment |'));
    expect(m).toContain('| Environment | Tier | Added | Changed | Removed |');
    expect(m).toMatch(/^\| prod \| production \| 0 \| [1-9]\d* \| 0 \|$/m);
    expect(m).toContain('| dev | development | 0 | 0 | 0 |');
    expect(m).toContain('| staging | staging | 0 | 0 | 0 |');
    expect(m).toMatch(/<details>\n<summary><b>prod\/orders-api<\/b>: \d+ changed ⚠️<\/summary>/);
    expect(m).toContain('```diff\n@@ ');
    expect(m).toContain(`\n+          image: ${IMAGE}:2.9.0\n`);
    expect(m).not.toContain('too large');

    const j = await json();
    expect(j.hasChanges).toBe(true);
    expect(j.summary).toMatchObject({ added: 0, removed: 0 });
    expect(j.environments.map((e: any) => e.name)).toEqual(['prod']);
    expect(j.environments[0].tier).toBe('production');
    const deployment = j.environments[0].apps[0].resources.find((r: any) => r.kind === 'Deployment');
    expect(deployment).toMatchObject({ status: 'changed', path: 'prod/orders-api/deployment-orders-api.yaml', apiVersion: 'apps/v1', name: 'orders-api', namespace: 'orders' });
    expect(deployment.fields).toContainEqual({ path: 'spec.template.spec.containers[name=orders-api].image', op: 'replace', before: `${IMAGE}:2.8.1`, after: `${IMAGE}:2.9.0` });
    expect(deployment.fields).toContainEqual({ path: 'metadata.labels["app.kubernetes.io/version"]', op: 'replace', before: '2.8.1', after: '2.9.0' });
    expect(deployment.risks.map((r: any) => r.type)).toEqual(['production', 'image']);
    expect(j.risks).toContainEqual(expect.objectContaining({ type: 'image', environment: 'prod', app: 'orders-api', kind: 'Deployment' }));
  });

  it('an app deleted in dev: deletions listed and flagged, the table counts them', async () => {
    deleteDevApp();

    const t = await p.diff('--exit-code');
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('dev (development)');
    expect(t.stdout).toContain('  invoice-report  0 added, 0 changed, 5 removed');
    expect(t.stdout).toContain('    - CronJob invoice-report/invoice-report removed  dev/invoice-report/cronjob-invoice-report.yaml');
    expect(t.stdout).toContain('      ! deletion: CronJob deleted');
    // the namespace goes too, and it is cluster-scoped
    expect(t.stdout).toContain('    - Namespace invoice-report removed  dev/namespaces/namespace-invoice-report.yaml');
    expect(t.stdout).toContain('      ! cluster-scoped: cluster-scoped Namespace deleted');
    expect(t.stdout).not.toMatch(/^(prod|staging) /m);
    // a deletion shows what goes, not its whole content
    expect(t.stdout).not.toContain('schedule:');

    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m).toContain('- `dev/invoice-report` CronJob invoice-report/invoice-report deleted: **deletion**');
    expect(m).toContain('- `dev/namespaces` Namespace invoice-report deleted: **deletion**, **cluster-scoped**');
    expect(m).toMatch(/^\| dev \| development \| 0 \| 0 \| (\d+) \|$/m);
    expect(m).toContain('<summary><b>dev/invoice-report</b>: 5 removed ⚠️</summary>');
    expect(m).toContain('➖ **CronJob invoice-report/invoice-report** deleted · `dev/invoice-report/cronjob-invoice-report.yaml` · ⚠️ deletion');

    const j = await json();
    const dev = j.environments.find((e: any) => e.name === 'dev');
    const app = dev.apps.find((a: any) => a.name === 'invoice-report');
    expect(app.summary).toEqual({ added: 0, changed: 0, removed: 5 });
    expect(app.resources.map((r: any) => r.kind).sort()).toEqual(['ConfigMap', 'CronJob', 'ExternalSecret', 'NetworkPolicy', 'ServiceAccount']);
    expect(app.resources.every((r: any) => r.status === 'removed' && r.fields.length === 0 && r.risks[0].type === 'deletion')).toBe(true);
    expect(j.summary.removed).toBe(dev.summary.removed);
    expect(j.risks.filter((r: any) => r.type === 'deletion').length).toBe(j.summary.removed);
  });

  it('an env var added: one field added per deployment, shown as one added list item', async () => {
    addEnvVar();

    const t = await p.diff();
    for (const env of ['dev', 'prod', 'staging']) expect(t.stdout).toContain(`    ~ Deployment orders/orders-api changed  ${env}/orders-api/deployment-orders-api.yaml`);
    expect(t.stdout).toContain('      +            - name: CHECKOUT_FLOW\n      +              value: v2');
    expect(t.stdout).not.toMatch(/^      -.*AWS_REGION/m); // the list is not shown as shifted

    const j = await json();
    expect(j.summary).toEqual({ added: 0, changed: 3, removed: 0, unchanged: expect.any(Number) });
    for (const env of j.environments) {
      const [d] = env.apps[0].resources;
      expect(d.fields).toEqual([{ path: 'spec.template.spec.containers[name=orders-api].env[name=CHECKOUT_FLOW]', op: 'add', after: { name: 'CHECKOUT_FLOW', value: 'v2' } }]);
      expect(d.risks.map((r: any) => r.type)).toEqual(env.name === 'prod' ? ['production'] : []);
    }

    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m).toContain('| dev | development | 0 | 1 | 0 |');
    expect(m).toContain('| prod | production | 0 | 1 | 0 |');
    expect(m).toContain('| **Total** | | **0** | **3** | **0** |');
    expect(m).toContain('- `prod/orders-api` Deployment orders/orders-api changed: **production**');
    expect(m).not.toContain('`dev/orders-api` Deployment'); // not risky outside prod
  });

  it('all three changes together: JSON is stable byte for byte and valid', async () => {
    changeProdImage();
    deleteDevApp();
    addEnvVar();
    const a = await p.diff('--format', 'json');
    const b = await p.diff('--format', 'json');
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(validateDiffJson(j)).toEqual([]);
    expect(j.environments.map((e: any) => e.name)).toEqual(expect.arrayContaining(['dev', 'prod', 'staging']));
    const m = await p.diff('--format', 'markdown');
    expect(m.stdout.length).toBeLessThan(65_536);
  });

  it('--env narrows the comparison: other environments are neither rendered nor reported removed', async () => {
    changeProdImage();
    addEnvVar();
    const j = await json('--env', 'dev');
    expect(j.environments.map((e: any) => e.name)).toEqual(['dev']);
    expect(j.summary).toMatchObject({ added: 0, changed: 1, removed: 0 });
    expect(j.compared).toEqual([{ name: 'dev', tier: 'development' }]);
  });
});

describe('no noise', () => {
  it('a rendered file reformatted (key order, quoting, flow style, comments) shows no change', async () => {
    const file = 'rendered/prod/orders-api/deployment-orders-api.yaml';
    const object = yaml.load(p.read(file)) as object;
    const reformatted =
      '# reformatted by hand\n' +
      yaml.dump(object, {
        sortKeys: (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0), // reverse order
        forceQuotes: true,
        quotingType: '"',
        flowLevel: 4,
        indent: 4,
        lineWidth: 40,
      });
    expect(reformatted).not.toBe(p.read(file));
    writeFileSync(p.path(file), reformatted);
    p.commitAll('reformat a rendered file');

    const t = await p.diff('--exit-code');
    expect(t.stdout).toMatch(/^No changes/);
    expect(t.code).toBe(0);
    // while check, which compares bytes, does see it
    expect((await cli(['--root', p.root, 'check'])).code).toBe(1);
  });

  it('a real change in a reformatted file shows only that change, in canonical form', async () => {
    const file = 'rendered/prod/orders-api/deployment-orders-api.yaml';
    writeFileSync(p.path(file), yaml.dump(yaml.load(p.read(file)), { sortKeys: true, forceQuotes: true, quotingType: '"' }));
    p.commitAll('reformat');
    changeProdImage();
    const t = await p.diff();
    const section = t.stdout.slice(t.stdout.indexOf('~ Deployment orders/orders-api'), t.stdout.indexOf('~ ExternalSecret'));
    const changedLines = section.split('\n').filter((l) => /^ {6}[-+]/.test(l));
    expect(changedLines).toEqual([
      '      -    app.kubernetes.io/version: 2.8.1',
      '      +    app.kubernetes.io/version: 2.9.0',
      '      -        app.kubernetes.io/version: 2.8.1',
      '      +        app.kubernetes.io/version: 2.9.0',
      `      -          image: ${IMAGE}:2.8.1`,
      `      +          image: ${IMAGE}:2.9.0`,
    ]);
  });
});

describe('bases', () => {
  it('--base <ref> compares with rendered/ at that ref (HEAD~1, a branch, a short SHA, a tag)', async () => {
    const first = p.git('rev-parse', 'HEAD').trim();
    p.git('tag', '-a', 'v1', '-m', 'first');
    changeProdImage();
    expect((await cli(['--root', p.root, 'render'])).code).toBe(0);
    p.commitAll('bump orders-api in prod');

    expect((await p.diff('--exit-code')).code).toBe(0); // HEAD has the render
    for (const ref of ['HEAD~1', 'HEAD^', 'main~1', first.slice(0, 8), first, 'v1']) {
      const r = await p.diff('--base', ref, '--exit-code');
      expect(r.code, `${ref}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toContain(`against rendered/ at ${ref} (${first.slice(0, 7)})`);
      expect(r.stdout).toContain('~ Deployment orders/orders-api changed');
    }
    const j = await json('--base', 'HEAD~1');
    expect(j.base).toEqual({ ref: 'HEAD~1', commit: first, layout: 'rendered-dir', description: `rendered/ at HEAD~1 (${first.slice(0, 7)})` });
  });

  it('--base rendered reads the branch root and ignores its provenance files', async () => {
    makeRenderedBranch(p);
    const same = await p.diff('--base', 'rendered', '--exit-code');
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('No changes: the render matches the rendered branch at rendered');

    changeProdImage();
    const j = await json('--base', 'rendered');
    expect(j.base.layout).toBe('rendered-branch');
    expect(j.environments.map((e: any) => e.name)).toEqual(['prod']);
    expect(JSON.stringify(j)).not.toMatch(/hydrator\.metadata|README\.md|gitattributes/);
    // any commit of the branch is recognised by its root hydrator.metadata
    const sha = p.git('rev-parse', 'rendered').trim();
    expect((await json('--base', sha)).base.layout).toBe('rendered-branch');
  });

  it('--base rendered on the branch that `rendered-commit` builds: provenance ignored, changes found', async () => {
    const commit = await cli(['--root', p.root, 'rendered-commit', '--repo-url', 'https://example.com/shop.git']);
    expect(commit.code, commit.stderr).toBe(0);
    expect(p.git('ls-tree', '-r', '--name-only', 'rendered')).toMatch(/^prod\/orders-api\/hydrator\.metadata$/m);
    const same = await p.diff('--base', 'rendered', '--exit-code');
    expect(same.code, same.stderr).toBe(0);

    p.edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('replicas: 4', 'replicas: 0'));
    const m = await p.diff('--base', 'rendered', '--format', 'markdown', '--exit-code');
    expect(m.code).toBe(1);
    expect(m.stdout).toContain('Compared with the rendered branch at rendered (');
    expect(m.stdout).toContain('- `prod/orders-api` Deployment orders/orders-api changed: **production**, **scale-to-zero** `replicas 4 -> 0`');
  });

  it('works from a linked worktree and for a project in a subdirectory of the repository', async () => {
    // a linked worktree: .git is a file, refs and objects live in the main repository
    const worktree = `${p.root}-worktree`;
    p.git('worktree', 'add', '-q', '-b', 'feature', worktree);
    try {
      const wt = (args: string[]) => cli(['--root', worktree, 'diff', ...args]);
      expect((await wt(['--exit-code'])).code).toBe(0);
      const file = `${worktree}/manifests/apps/orders-api/overlays/prod.yaml`;
      writeFileSync(file, readFileSync(file, 'utf8').replace('spec:\n  replicas: 4', 'spec:\n  image:\n    tag: 2.9.0\n  replicas: 4'));
      const r = await wt(['--base', 'main']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('~ Deployment orders/orders-api changed  prod/orders-api/deployment-orders-api.yaml');
    } finally {
      rmSync(worktree, { recursive: true, force: true });
    }

    // the project in platform/ of a larger repository: rendered/ is read at platform/rendered
    const outer = scratchDir('gitops-bridge-outer-');
    try {
      cpSync(p.root, join(outer, 'platform'), { recursive: true, filter: (src) => !src.includes(`${p.root}/.git`) });
      writeFileSync(join(outer, 'README.md'), 'monorepo\n');
      const git = (...args: string[]) => execFileSync('git', args, { cwd: outer, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-q', '-m', 'monorepo');
      const root = join(outer, 'platform');
      expect((await cli(['--root', root, 'diff', '--exit-code'])).code).toBe(0);
      rmSync(join(root, 'manifests/apps/invoice-report'), { recursive: true });
      const j = JSON.parse((await cli(['--root', root, 'diff', '--format', 'json'])).stdout);
      expect(j.base.layout).toBe('rendered-dir');
      expect(j.summary.removed).toBeGreaterThan(10);
      expect(j.summary.added).toBe(0);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  it('a base commit without rendered/ counts everything as added', async () => {
    p.git('rm', '-r', '-q', 'rendered');
    p.commitAll('drop rendered/');
    const j = await json();
    expect(j.base.layout).toBe('empty');
    expect(j.summary.changed + j.summary.removed).toBe(0);
    expect(j.summary.added).toBeGreaterThan(100);
  });
});

describe('size guard', () => {
  it('a diff of the whole fleet stays under GitHub\'s 65,536-character comment limit, and says what it left out', async () => {
    p.git('rm', '-r', '-q', 'rendered');
    p.commitAll('drop rendered/');
    const full = await p.diff();
    expect(full.stdout.length).toBeGreaterThan(65_536); // the terminal diff is not cut
    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m.length).toBeLessThan(65_536);
    expect(m).toContain('**This diff is too large for one comment**');
    expect(m).toMatch(/\| \*\*Total\*\* \| \| \*\*\d+\*\* \| \*\*0\*\* \| \*\*0\*\* \|/);
    expect(m).toContain('Run `npm run diff`');
    // every opened block and fence is closed
    expect(m.match(/<details>/g)?.length).toBe(m.match(/<\/details>/g)?.length);
    expect((m.match(/^```/gm)?.length ?? 0) % 2).toBe(0);
  });
});

describe('errors exit 2', () => {
  it('a bad ref, a bad format, no git repository, invalid manifests', async () => {
    const bad = await p.diff('--base', 'no-such-branch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown revision "no-such-branch"');
    expect(bad.stderr).toContain('hint:');

    expect((await p.diff('--base', 'HEAD~5')).code).toBe(2);
    expect((await p.diff('--base', 'HEAD:rendered')).code).toBe(2);
    expect((await p.diff('--format', 'html')).code).toBe(2);
    expect((await p.diff('--context', 'lots')).code).toBe(2);

    p.edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('replicas: 2', 'replica: 2'));
    const invalid = await p.diff('--exit-code');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/error: manifests\/apps\/orders-api\/app\.yaml:\d+/);
    expect(invalid.stdout).toBe('');

    p.git('checkout', '--', 'manifests');
    rmSync(p.path('.git'), { recursive: true, force: true });
    const norepo = await p.diff();
    expect(norepo.code).toBe(2);
    expect(norepo.stderr).toContain('not inside a git repository');
  });

  it('a corrupt or missing object of the base: the typed error of generators/git and its hint, no stack trace', async () => {
    const tree = p.git('rev-parse', 'HEAD:rendered').trim();
    const loose = p.path(`.git/objects/${tree.slice(0, 2)}/${tree.slice(2)}`);
    rmSync(loose);
    writeFileSync(loose, deflateSync(Buffer.from('tree 0\0')));
    const corrupt = await p.diff();
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain(`object ${tree.slice(0, 7)} (${tree}) is corrupt`);
    expect(corrupt.stderr).toContain('hint: run `git fsck --full`');
    expect(corrupt.stderr).not.toMatch(/internal error|\n\s+at /);

    rmSync(loose);
    const missing = await p.diff();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${tree.slice(0, 7)} (${tree}) is not in the repository's object database`);
    expect(missing.stderr).toContain('hint: the clone may be shallow');
  });

  it('reads a packed base (git gc: packed objects and refs)', async () => {
    changeProdImage();
    expect((await cli(['--root', p.root, 'render'])).code).toBe(0);
    p.commitAll('bump orders-api in prod');
    p.git('gc', '-q', '--prune=now');
    const r = await p.diff('--base', 'main~1', '--exit-code');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('~ Deployment orders/orders-api changed');
  });

  it('--help documents the bases, formats and exit codes', async () => {
    const r = await cli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: gitops-bridge diff');
    expect(r.stdout).toContain('--base <ref>');
    expect(r.stdout).toContain('--exit-code');
    expect(r.stdout).toMatch(/2 +any error/);
    expect(r.stdout).toContain('Examples:');
  });
});

describe('colour', () => {
  it('FORCE_COLOR colours the terminal diff; NO_COLOR and a pipe do not', async () => {
    changeProdImage();
    const saved = { FORCE_COLOR: process.env.FORCE_COLOR, NO_COLOR: process.env.NO_COLOR };
    try {
      process.env.FORCE_COLOR = '1';
      delete process.env.NO_COLOR;
      const coloured = (await p.diff()).stdout;
      expect(coloured).toContain(`\u001b[31m-          image: ${IMAGE}:2.8.1\u001b[0m`);
      expect(coloured).toContain(`\u001b[32m+          image: ${IMAGE}:2.9.0\u001b[0m`);
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = '1';
      expect((await p.diff()).stdout).not.toContain('\u001b[');
      // markdown and json never carry colour
      process.env.FORCE_COLOR = '1';
      expect((await p.diff('--format', 'markdown')).stdout).not.toContain('\u001b[');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

/**
 * A `rendered` branch as the commit step lays it out: rendered/'s content at the root plus
 * hydrator.metadata and README.md files and .gitattributes, built with git plumbing.
 */
function makeRenderedBranch(project: RepoProject): void {
  const head = project.git('rev-parse', 'HEAD').trim();
  const index = project.path('.git/rendered-index');
  const env = { GIT_INDEX_FILE: index };
  const run = (...args: string[]) => gitWith(project, env, ...args);
  run('read-tree', '--empty');
  run('read-tree', `--prefix=`, `${head}:rendered`);
  const add = (path: string, content: string) => {
    const oid = gitWith(project, {}, 'hash-object', '-w', '--stdin', content).trim();
    run('update-index', '--add', '--cacheinfo', `100644,${oid},${path}`);
  };
  add('hydrator.metadata', JSON.stringify({ drySha: head, repoURL: 'https://example.com/repo.git' }, null, 2) + '\n');
  add('.gitattributes', '**/README.md linguist-generated=true\n**/hydrator.metadata linguist-generated=true\n');
  add('prod/orders-api/hydrator.metadata', JSON.stringify({ drySha: head }) + '\n');
  add('prod/orders-api/README.md', '# orders-api\n');
  const tree = run('write-tree').trim();
  const commit = gitWith(project, {}, 'commit-tree', tree, '-m', `${head.slice(0, 7)}: example fleet`).trim();
  project.git('update-ref', 'refs/heads/rendered', commit);
  rmSync(index, { force: true });
}

function gitWith(project: RepoProject, env: Record<string, string>, ...args: string[]): string {
  // hash-object --stdin takes its input as the last argument here
  const input = args[0] === 'hash-object' ? args.pop() : undefined;
  return execFileSync('git', args, {
    cwd: project.root,
    encoding: 'utf8',
    input,
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', ...env },
  });
}

describe('switching to progressive delivery', () => {
  it('one spec change turns a Deployment into a Rollout: the Deployment removed and the Rollout added, flagged in production', async () => {
    // orders-api's prod overlay gains a canary: the only edit.
    p.edit('manifests/apps/orders-api/overlays/prod.yaml', (t) => t.replace('spec:\n  replicas: 4', 'spec:\n  rollout:\n    strategy: canary\n    steps: [{ setWeight: 25 }, { pause: {} }]\n  replicas: 4'));
    const j = await json();
    const app = j.environments.find((e: any) => e.name === 'prod').apps.find((a: any) => a.name === 'orders-api');
    const byKind = (kind: string) => app.resources.find((r: any) => r.kind === kind);
    expect(byKind('Deployment')).toMatchObject({ status: 'removed', risks: [{ type: 'deletion', detail: 'Deployment deleted' }, { type: 'production' }] });
    expect(byKind('Rollout')).toMatchObject({ status: 'added', path: 'prod/orders-api/rollout-orders-api.yaml', risks: [{ type: 'production' }, { type: 'rollout', detail: 'Rollout added: canary, 2 steps' }] });
    // Its traffic now goes through the stable and canary Services.
    expect(app.resources.filter((r: any) => r.status === 'added').map((r: any) => r.path).sort()).toEqual(['prod/orders-api/rollout-orders-api.yaml', 'prod/orders-api/service-orders-api-canary.yaml', 'prod/orders-api/service-orders-api-stable.yaml']);
    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m).toContain('- `prod/orders-api` Rollout orders/orders-api added: **production**, **rollout** `Rollout added: canary, 2 steps`');
    expect(m).toContain('- `prod/orders-api` Deployment orders/orders-api deleted: **deletion**, **production**');
  });

  it('a production canary\'s steps or strategy changed is a rollout risk; elsewhere it is not', async () => {
    p.edit('manifests/apps/storefront/overlays/prod.yaml', (t) => t.replace('      - setWeight: 50\n', '      - setWeight: 30\n      - pause: { duration: 1m }\n      - setWeight: 60\n'));
    p.edit('manifests/apps/catalog-api/overlays/staging.yaml', (t) => t.replace('scaleDownDelaySeconds: 60', 'scaleDownDelaySeconds: 120'));
    const j = await json();
    const rollout = (env: string, app: string) => j.environments.find((e: any) => e.name === env).apps.find((a: any) => a.name === app).resources.find((r: any) => r.kind === 'Rollout');
    expect(rollout('prod', 'storefront').risks).toEqual([
      { type: 'production', detail: 'changed in a production environment' },
      { type: 'rollout', detail: 'canary steps changed: [setWeight 10, pause 5m, analysis, setWeight 50, pause] -> [setWeight 10, pause 5m, analysis, setWeight 30, pause 1m, setWeight 60, pause]' },
    ]);
    expect(rollout('staging', 'catalog-api').risks).toEqual([]);

    p.edit('manifests/apps/storefront/overlays/prod.yaml', (t) => t.replace(/ {2}rollout:\n(.|\n)*?patches:/, '  rollout:\n    strategy: blueGreen\npatches:'));
    const k = await json();
    const risks = k.environments.find((e: any) => e.name === 'prod').apps.find((a: any) => a.name === 'storefront').resources.find((r: any) => r.kind === 'Rollout').risks;
    expect(risks).toContainEqual({ type: 'rollout', detail: 'strategy canary, 5 steps -> blueGreen' });
  });
});

describe('a version bump is quiet', () => {
  /** orders-api's image tag bumped in the base: every object's app.kubernetes.io/version changes in every environment. */
  const bumpImage = () => p.edit('manifests/apps/orders-api/app.yaml', (t) => t.replace('tag: 2.8.1', 'tag: 2.9.0'));

  it('objects whose only change is app.kubernetes.io/version are one line per app and environment; the image change and real changes show in full', async () => {
    bumpImage();
    // A real change beside it: a config value of orders-api in dev.
    p.edit('manifests/apps/orders-api/app.yaml', (t) => t.replace(/( {2}config:\n)/, '$1    CHECKOUT_FLOW: v2\n'));
    const j = await json();
    // dev pins its own tag in its overlay: the bump reaches prod and staging.
    expect(j.environments.filter((e: any) => e.apps.some((a: any) => a.versionOnly)).map((e: any) => e.name)).toEqual(['prod', 'staging']);
    for (const env of j.environments.filter((e: any) => e.name !== 'dev')) {
      const app = env.apps.find((a: any) => a.name === 'orders-api');
      // The Deployment (image) and the ConfigMap (config) in full; the rest grouped, machine-readable.
      expect(app.resources.map((r: any) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment']);
      const deployment = app.resources.find((r: any) => r.kind === 'Deployment');
      expect(deployment.fields.map((f: any) => f.path)).toContain('spec.template.spec.containers[name=orders-api].image');
      expect(app.versionOnly.label).toBe('app.kubernetes.io/version');
      expect(app.versionOnly.versions).toEqual([{ before: '2.8.1', after: '2.9.0', count: app.versionOnly.resources.length }]);
      expect(app.versionOnly.resources.length).toBeGreaterThan(3);
      expect(app.versionOnly.resources.map((r: any) => r.kind)).not.toContain('Deployment');
      // Counted as changed all the same.
      expect(app.summary.changed).toBe(2 + app.versionOnly.resources.length);
    }
    const grouped = j.environments[1].apps.find((a: any) => a.name === 'orders-api').versionOnly.resources.length;

    const t = await p.diff();
    expect(t.stdout).toContain(`~ ${grouped} objects: only app.kubernetes.io/version 2.8.1 -> 2.9.0`);
    expect(t.stdout).toMatch(/\+ +image: 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/shop\/orders-api:2\.9\.0/);
    expect(t.stdout).not.toMatch(/~ Service orders\/orders-api changed/);

    const m = (await p.diff('--format', 'markdown')).stdout;
    expect(m.match(/only app\.kubernetes\.io\/version 2\.8\.1 -&gt; 2\.9\.0/g)).toHaveLength(2);
    expect(m).toContain('**image** `111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/orders-api 2.8.1 -> 2.9.0`');
    expect(m).toContain('CHECKOUT_FLOW');
    expect(m).not.toContain('Service orders/orders-api');
    expect(m.length).toBeLessThan(15_000);
  });

  it('an image bump alone: the markdown is a fraction of the diff of every object', async () => {
    bumpImage();
    const m = (await p.diff('--format', 'markdown')).stdout;
    const j = await json();
    const hidden = j.environments.flatMap((e: any) => e.apps.flatMap((a: any) => a.versionOnly?.resources ?? []));
    expect(hidden.length).toBe(2 * 7);
    // Every diff block left is a Deployment's: nothing else changed for real.
    expect(j.environments.flatMap((e: any) => e.apps.flatMap((a: any) => a.resources.map((r: any) => r.kind)))).toEqual(['Deployment', 'Deployment']);
    // Measured: 3.3 KB, against 9.0 KB before grouping (the same bump, a diff of every object).
    expect(m.length).toBeLessThan(4_500);
  });
});
