/**
 * `npm run promote` as a user runs it, in a git repository whose rendered branch says what each
 * environment ran: dev's release goes to staging, then staging's to prod, each as the smallest
 * overlay edit with the rendered diff printed; a promotion across a forbidden tier boundary
 * and one of an image the source never ran are refused, writing nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editOverlay } from '../../generators/app/overlay-edit.js';
import { leafEdits } from '../../generators/app/promote.js';
import { cli } from '../helpers.js';
import { git, renderedCommit, repoPerTest } from '../git/git-helpers.js';

const newRepo = repoPerTest();
const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop';

describe('npm run promote', () => {
  it('moves releases dev -> staging -> prod in the overlays, minimally, and refuses what it must', async () => {
    const r = await newRepo({ origin: 'https://github.com/example-shop/shop-gitops.git' });
    const read = (rel: string) => readFileSync(join(r.root, rel), 'utf8');
    const promote = (...args: string[]) => cli(['--root', r.root, 'promote', ...args]);
    expect((await renderedCommit(r.root)).code).toBe(0); // the rendered branch: dev runs orders-api 2.9.0, the others 2.8.1

    // dev -> staging, every app whose image differs: staging has no overlays, so they are created.
    const all = await promote('--all', '--from', 'dev', '--to', 'staging');
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`promoted orders-api image ${ECR}/orders-api:2.8.1 -> ${ECR}/orders-api:2.9.0 from dev to staging: created manifests/apps/orders-api/overlays/staging.yaml (dev ran it at `);
    expect(all.stdout).toContain('  spec.image.tag: 2.9.0');
    expect(all.stdout).toContain(`promoted storefront image ${ECR}/storefront:3.14.0 -> ${ECR}/storefront:3.15.0-rc.2 from dev to staging: edited manifests/apps/storefront/overlays/staging.yaml`);
    expect(all.stdout).toContain('already the same in staging: catalog-api, external-dns, invoice-report');
    expect(read('manifests/apps/orders-api/overlays/staging.yaml')).toBe(
      '# yaml-language-server: $schema=../../../../schemas/app-overlay.schema.json\napiVersion: gitops-bridge.dev/v1alpha1\nkind: AppOverlay\nmetadata:\n  name: orders-api\n  environment: staging\nspec:\n  image:\n    tag: 2.9.0\n',
    );
    // Rendered, and the diff shown is staging's.
    expect(read('rendered/staging/orders-api/deployment-orders-api.yaml')).toContain(`image: ${ECR}/orders-api:2.9.0`);
    expect(all.stdout).toContain(`+          image: ${ECR}/orders-api:2.9.0`);
    expect(all.stdout).not.toMatch(/^\s*[-+~] prod\//m);
    r.commitAll('Promote dev to staging');
    expect((await renderedCommit(r.root)).code).toBe(0);

    // staging -> prod: prod's overlay exists; two lines are added, every other byte stays.
    const prodOverlay = 'manifests/apps/orders-api/overlays/prod.yaml';
    const one = await promote('--app', 'orders-api', '--from', 'staging', '--to', 'prod');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/promoted orders-api .* from staging to prod: edited manifests\/apps\/orders-api\/overlays\/prod\.yaml \(staging ran it at [0-9a-f]{7}\)/);
    expect(git(r.root, 'diff', '--numstat', '--', 'manifests').trim()).toBe(`2\t0\t${prodOverlay}`);
    expect(git(r.root, 'diff', '-U0', '--', prodOverlay).split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['+  image:', '+    tag: 2.9.0']);
    expect(one.stdout).toContain(`-          image: ${ECR}/orders-api:2.8.1`);
    expect(one.stdout).toContain(`+          image: ${ECR}/orders-api:2.9.0`);
    expect((await cli(['--root', r.root, 'check'])).code).toBe(0);
    // Promoting it again finds nothing to do.
    const again = await promote('--app', 'orders-api', '--from', 'staging', '--to', 'prod');
    expect(again.stdout).toMatch(/already the same in prod: orders-api\nnothing to promote/);
    git(r.root, 'checkout', '-q', '--', '.');

    // Refused: dev's release straight to prod (prod takes releases from staging only).
    const tier = await promote('--app', 'storefront', '--from', 'dev', '--to', 'prod');
    expect(tier.code).toBe(1);
    expect(tier.stderr).toContain('refusing to promote from dev (tier development) to prod: prod takes releases from staging environments only');
    expect(tier.stderr).toContain('manifests/environments/prod.yaml');
    // Refused: an image staging never ran (set in its overlay, committed, never published to the rendered branch).
    const staging = join(r.root, 'manifests/apps/storefront/overlays/staging.yaml');
    writeFileSync(staging, readFileSync(staging, 'utf8').replace(/tag: \S+/, 'tag: 3.16.0'));
    expect((await cli(['--root', r.root, 'render', '-q'])).code).toBe(0);
    r.commitAll('storefront 3.16.0 in staging');
    const never = await promote('--app', 'storefront', '--from', 'staging', '--to', 'prod');
    expect(never.code).toBe(1);
    expect(never.stderr).toContain(`refusing to promote storefront to prod: staging never ran ${ECR}/storefront:3.16.0 (no commit of rendered has it in staging/storefront)`);
    expect(git(r.root, 'status', '--porcelain')).toBe('');
  });
});

describe('the overlay edit', () => {
  it('writes only the leaves that differ, a key the source lacks as null', () => {
    expect(leafEdits({ repository: 'r', tag: '1.0.0', digest: 'sha256:aa' }, { repository: 'r', tag: '1.1.0' }, ['image'])).toEqual([
      { path: ['image', 'tag'], value: '1.1.0' },
      { path: ['image', 'digest'], value: null },
    ]);
    expect(leafEdits(['a'], ['a', 'b'], ['args'])).toEqual([{ path: ['args'], value: ['a', 'b'] }]);
    expect(leafEdits(3, 3, ['replicas'])).toEqual([]);
  });

  it('changes those bytes only: comments, quoting, flow collections and order stay', () => {
    const text = '# keep me\nspec:\n  args: [--concurrency=32]   # tuned\n  config:\n    POOL: "25"\n  image:\n    tag: 2.8.1 # pinned\n\n  resources: { cpu: 1 }\n';
    expect(editOverlay(text, [{ path: ['image', 'tag'], value: '2.9.0' }, { path: ['config', 'POOL'], value: '30' }, { path: ['image', 'digest'], value: null }], 'f')).toBe(
      '# keep me\nspec:\n  args: [--concurrency=32]   # tuned\n  config:\n    POOL: "30"\n  image:\n    tag: 2.9.0 # pinned\n    digest: null\n\n  resources: { cpu: 1 }\n',
    );
    expect(editOverlay('spec:\n', [{ path: ['image', 'tag'], value: '2.9.0' }], 'f')).toBe('spec:\n  image:\n    tag: 2.9.0\n');
    expect(() => editOverlay(text, [{ path: ['resources', 'cpu'], value: 2 }], 'f')).toThrow(/not a block mapping/);
  });
});
