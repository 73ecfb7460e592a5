/**
 * GitOps Promoter objects on the hub (manifests/argocd.yaml `spec.promoter`): rendered from the
 * environments' promotion settings, checked strictly against the schemas declared in
 * schemas/crds/promoter.argoproj.io/, and selecting exactly the Applications the environments'
 * ApplicationSets generate on their active branches.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { promotionOrder } from '../../generators/argocd/promoter.js';
import { cli, editFile, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { branchFiles, generate, hubObjects, type Obj } from './hub.js';

let projects: { cleanup: () => void }[] = [];
afterEach(() => {
  projects.forEach((p) => p.cleanup());
  projects = [];
});

/** The example (whose environments say how they are promoted) with environment branches, Promoter on the hub, and the declared Promoter schemas. */
function promoterProject(promoter = '  promoter:\n    scmProviderRef: { name: github }\n'): string {
  const p = tempProject();
  projects.push(p);
  cpSync(join(repoRoot, 'schemas/crds'), join(p.root, 'schemas/crds'), { recursive: true });
  editFile(join(p.root, 'manifests/argocd.yaml'), (t) => t.replace('  hubType: self-managed', `  layout: environment-branches\n${promoter}  hubType: self-managed`));
  return p.root;
}

const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const spec = (o: Obj) => o['spec'] as Record<string, unknown>;

describe('GitOps Promoter objects', () => {
  it('promote environment/<env> in tier order, auto-merging only where the environment says so, gated on its Applications', async () => {
    const root = promoterProject();
    const r = await cli(['--root', root, 'render', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rendered = snapshotDir(join(root, 'rendered'));
    const hub = hubObjects(rendered);
    const [repo] = ofKind(hub, 'GitRepository');
    const [strategy] = ofKind(hub, 'PromotionStrategy');
    const [status] = ofKind(hub, 'ArgoCDCommitStatus');
    for (const o of [repo, strategy, status]) expect(o?.metadata).toMatchObject({ name: 'gitops-bridge', namespace: 'promoter-system' });
    // The repository from the github.com repoURL, with the ScmProvider made by hand.
    expect(spec(repo!)).toEqual({ github: { owner: 'example-shop', name: 'shop-gitops' }, scmProviderRef: { kind: 'ScmProvider', name: 'github' } });
    expect(spec(strategy!)).toEqual({
      gitRepositoryRef: { name: 'gitops-bridge' },
      activeCommitStatuses: [{ key: 'argocd-health' }],
      environments: [
        { branch: 'environment/dev', autoMerge: true },
        { branch: 'environment/staging', autoMerge: true },
        { branch: 'environment/prod', autoMerge: false },
      ],
    });
    expect(spec(status!)).toMatchObject({ promotionStrategyRef: { name: 'gitops-bridge' }, key: 'argocd-health' });

    // The selector takes every Application the ApplicationSets generate on the active branches, and not the bootstrap.
    const selector = spec(status!)['applicationSelector'] as { matchLabels: Record<string, string>; matchExpressions: { key: string; operator: string }[] };
    const selects = (o: Obj) => Object.entries(selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v) && selector.matchExpressions.every((e) => e.operator === 'Exists' && o.metadata.labels?.[e.key] !== undefined);
    const branches = (spec(strategy!)['environments'] as { branch: string }[]).map((e) => e.branch);
    for (const appSet of ofKind(hub, 'ApplicationSet')) {
      const env = appSet.metadata.name;
      const files = branchFiles(new Map([...rendered].filter(([path]) => path.startsWith(`${env}/`)))).map((f) => f.replace(`${env}/`, ''));
      const apps = generate(appSet, files);
      expect(apps.length).toBeGreaterThan(3);
      for (const g of apps) {
        expect(selects(g.application), g.application.metadata.name).toBe(true);
        // Promoter groups Applications by their targetRevision: the environment's active branch.
        expect(g.application.spec.source.targetRevision).toBe(branches.find((b) => b === `environment/${env}`));
      }
    }
    expect(selects(ofKind(hub, 'Application')[0]!)).toBe(false);
  });

  it('are checked strictly against the declared CRD schemas, and need the environment-branches layout', async () => {
    const typo = promoterProject('  promoter:\n    scmProviderRef: { name: github }\n    repository: { github: { owner: example-shop, repo: shop-gitops } }\n');
    const r = await cli(['--root', typo, 'render', '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rendered/argocd/gitrepository-gitops-bridge.yaml');
    expect(r.stderr).toMatch(/unknown field "repo"/);

    const single = promoterProject();
    editFile(join(single, 'manifests/argocd.yaml'), (t) => t.replace('  layout: environment-branches\n', ''));
    const s = await cli(['--root', single, 'render', '-q']);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('spec.promoter needs layout: environment-branches');
  });

  it('order environments by spec.promotion.order first, then tier, then name', () => {
    const env = (name: string, tier: string, order?: number) => ({ name, spec: { tier: tier as 'staging', ...(order !== undefined && { promotion: { order } }) } });
    expect(promotionOrder([env('prod', 'production'), env('qa', 'staging'), env('dev', 'development'), env('canary', 'production', 150)]).map((e) => e.name)).toEqual(['dev', 'qa', 'canary', 'prod']);
  });
});

