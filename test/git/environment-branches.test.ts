/**
 * `layout: environment-branches` against a real git server (git http-backend on 127.0.0.1): the
 * branches GitOps Promoter promotes between, the hydrator notes it reads first, and the hub's
 * branch, through three dry commits and a fresh CI clone, checked with the git CLI.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { exampleRepo, expectFsckClean, git, gitResult, gitServerPerFile, lsTree, renderedCommit, replaceInFile, tip } from './git-helpers.js';

const TOKEN = 'tok-env-branches-1';
const withToken = { GITOPS_BRIDGE_GIT_TOKEN: TOKEN };
const ENVS = ['dev', 'prod', 'staging'];
const NOTES = 'refs/notes/hydrator.metadata';
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';
const served = gitServerPerFile(TOKEN);
const cleanups = served.cleanups;

const proposed = (env: string) => `refs/heads/environment/${env}-next`;
const active = (env: string) => `refs/heads/environment/${env}`;
const note = (repo: string, commit: string) => JSON.parse(git(repo, 'notes', `--ref=${NOTES}`, 'show', commit)) as { drySha: string };

async function renderAndCommit(root: string, message: string): Promise<string> {
  const r = await cli(['--root', root, 'render', '-q']);
  expect(r.stderr).toBe('');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', message);
  return git(root, 'rev-parse', 'HEAD').trim();
}

/** Every proposed tip on the server carries the note of `dry`; the bare repository and the clone are sound. */
function expectHydrated(bare: string, clone: string, dry: string): void {
  for (const env of ENVS) expect(note(bare, tip(bare, proposed(env))!), env).toEqual({ drySha: dry });
  expectFsckClean(bare);
  expectFsckClean(clone);
}

describe('layout: environment-branches', () => {
  it('writes environment/<env>-next per environment with notes, creates environment/<env> once, and keeps the hub on rendered', async () => {
    const a = await exampleRepo();
    cleanups.push(a.cleanup);
    replaceInFile(join(a.root, 'manifests/argocd.yaml'), '  hubType: self-managed', '  layout: environment-branches\n  hubType: self-managed');
    const dry1 = await renderAndCommit(a.root, 'Promote with environment branches');
    // The hub's ApplicationSets read each environment's active branch, its root directories.
    const appset = readFileSync(join(a.root, 'rendered/argocd/applicationset-staging.yaml'), 'utf8');
    expect(appset).toContain('revision: environment/staging');
    expect(appset).toContain('targetRevision: environment/staging');
    expect(appset).toMatch(/directories:\n\s+- path: '\*'/);

    const bare = join(served.dir, 'env.git');
    git(served.dir, 'clone', '-q', '--bare', a.root, bare);
    git(bare, 'config', 'http.receivepack', 'true');
    git(a.root, 'remote', 'add', 'origin', served.server.url('env.git'));

    // 1: every branch is new; the active branches start where the proposed ones do.
    const first = await renderedCommit(a.root, ['--push'], withToken);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const env of ENVS) {
      expect(first.stdout).toContain(`pushed ${tip(bare, proposed(env))!.slice(0, 7)} to origin/environment/${env}-next`);
      expect(first.stdout).toContain(`created environment/${env} at`);
      expect(tip(bare, active(env))).toBe(tip(bare, proposed(env)));
    }
    expectHydrated(bare, a.root, dry1);
    // An environment's directory is the root of its branch: apps at the top, with provenance.
    const dev = lsTree(bare, proposed('dev'));
    const devRendered = [...lsTree(a.root, 'HEAD').keys()].filter((p) => p.startsWith('rendered/dev/')).map((p) => p.slice('rendered/dev/'.length));
    for (const path of devRendered) expect(dev.get(path), path).toBe(lsTree(a.root, 'HEAD').get(`rendered/dev/${path}`));
    expect(dev.has('hydrator.metadata') && dev.has('.gitattributes') && dev.has('catalog-api/hydrator.metadata') && dev.has('catalog-api/README.md')).toBe(true);
    expect([...dev.keys()].some((p) => p.startsWith('dev/') || p.startsWith('prod/') || p.startsWith('argocd/'))).toBe(false);
    expect(JSON.parse(git(bare, 'show', `${proposed('dev')}:catalog-api/hydrator.metadata`))).toEqual({
      repoURL: served.server.url('env.git'),
      drySha: dry1,
      commands: ['npm ci', 'npm run render -- --env dev --app catalog-api'],
    });
    // The hub: argocd/ only, on rendered, no note (nothing promotes it).
    const hub = [...lsTree(bare, 'refs/heads/rendered').keys()];
    expect(hub.filter((p) => !p.startsWith('argocd/')).sort()).toEqual(['.gitattributes', 'hydrator.metadata']);
    expect(gitResult(bare, 'notes', `--ref=${NOTES}`, 'show', 'refs/heads/rendered').code).not.toBe(0);
    const activeTips = new Map(ENVS.map((env) => [env, tip(bare, active(env))!]));
    const proposedTips = new Map(ENVS.map((env) => [env, tip(bare, proposed(env))!]));

    // 2: only dev changes, with reference trailers: dev-next moves; staging and prod only get notes.
    const file = join(a.root, OVERLAY);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "17"'));
    const dry2 = await renderAndCommit(
      a.root,
      'Cache catalog for 17s in dev\n\nWhy: load tests.\n\nArgocd-reference-commit-sha: 0123456789abcdef0123456789abcdef01234567\nArgocd-reference-commit-author: Bo Builder <bo@example.com>\nArgocd-reference-commit-date: 2024-04-30T18:00:00-05:00\nArgocd-reference-commit-sha: nothex',
    );
    git(a.root, 'push', '-q', `file://${bare}`, 'HEAD:refs/heads/main');
    const second = await renderedCommit(a.root, ['--push'], withToken);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/committed [0-9a-f]{7} to environment\/dev-next[\s\S]*~ dev\/catalog-api/);
    expect(second.stdout).toMatch(/nothing to commit: .* matches environment\/prod-next/);
    expect(second.stdout).not.toContain('created ');
    expect(git(bare, 'rev-parse', `${proposed('dev')}^`).trim()).toBe(proposedTips.get('dev'));
    for (const env of ['prod', 'staging']) expect(tip(bare, proposed(env))).toBe(proposedTips.get(env));
    for (const env of ENVS) expect(tip(bare, active(env)), env).toBe(activeTips.get(env));
    expectHydrated(bare, a.root, dry2);
    const meta = JSON.parse(git(bare, 'show', `${proposed('dev')}:hydrator.metadata`));
    expect(Object.keys(meta)).toEqual(['repoURL', 'drySha', 'author', 'date', 'subject', 'body', 'references']);
    expect(meta.date).toBe('2024-05-01T08:00:00Z');
    // The valid trailers became the reference and left the body; the invalid one stayed.
    expect(meta.body).toBe('Why: load tests.\n\nArgocd-reference-commit-sha: nothex\n');
    expect(meta.references).toEqual([{ commit: { author: '"Bo Builder" <bo@example.com>', date: '2024-04-30T18:00:00-05:00', sha: '0123456789abcdef0123456789abcdef01234567' } }]);
    // A promotion is possible: each pair shares history, and dev's PR is the one change.
    for (const env of ENVS) expect(git(bare, 'merge-base', active(env), proposed(env)).trim()).toBe(activeTips.get(env));
    const pr = git(bare, 'diff', '--name-only', active('dev'), proposed('dev')).trim().split('\n');
    expect(pr).toContain('catalog-api/configmap-catalog-api-config.yaml');
    for (const path of pr) expect(path === 'hydrator.metadata' || path.startsWith('catalog-api/'), path).toBe(true);

    // 3: from a fresh shallow CI clone, a dry commit that changes no environment: notes only,
    // pushed although another writer adds a note to the ref just before (the push is retried).
    const ci = scratchDir('gitops-bridge-ci-');
    cleanups.push(() => rmSync(ci, { recursive: true, force: true }));
    git(tmpdir(), 'clone', '-q', '--single-branch', '--branch', 'main', '--depth', '1', `file://${bare}`, ci);
    git(ci, 'remote', 'set-url', 'origin', served.server.url('env.git'));
    writeFileSync(join(ci, 'NOTES.md'), 'release notes\n');
    const dry3 = await renderAndCommit(ci, 'Docs only');
    git(ci, 'push', '-q', `file://${bare}`, 'HEAD:refs/heads/main');
    let raced = 0;
    served.server.beforeReceivePack = () => {
      if (raced++ === 0) git(bare, 'notes', `--ref=${NOTES}`, 'add', '-f', '-m', '{"drySha":"from-another-writer"}', 'refs/heads/main');
    };
    let third;
    try {
      third = await renderedCommit(ci, ['--push'], withToken);
    } finally {
      served.server.beforeReceivePack = undefined;
    }
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect(raced).toBeGreaterThanOrEqual(2); // the first notes push was refused, a second one went through
    expect(third.stdout.match(/nothing to commit/g), third.stdout).toHaveLength(4);
    for (const env of ENVS) expect(tip(bare, proposed(env))).toBe(tip(a.root, proposed(env)));
    for (const env of ENVS) expect(tip(bare, active(env)), env).toBe(activeTips.get(env));
    expectHydrated(bare, ci, dry3);
    expect(note(bare, 'refs/heads/main')).toEqual({ drySha: 'from-another-writer' });
    expect(tip(ci, NOTES)).toBe(tip(bare, NOTES));

    expect(first.stdout + second.stdout + third.stdout).not.toContain(TOKEN);
  }, 240_000); // three renders, a fresh clone and a dozen pushes: minutes on a busy 2-core machine
});
