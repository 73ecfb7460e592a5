/** `rendered-commit` as a user runs it, checked with the real git CLI. */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRenderedCommit, readDryCommit } from '../../generators/git/commit.js';
import { DEFAULT_IDENTITY } from '../../generators/git/identity.js';
import { compareAndSwapRef, lockPathOf } from '../../generators/git/lock.js';
import { hashObject } from '../../generators/git/object-format.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { findRepository } from '../../generators/git/repo.js';
import { scanDir } from '../../generators/git/worktree.js';
import { cli, repoRoot } from '../helpers.js';
import {
  bridgeEnv,
  replaceInFile,
  expectFsckClean,
  git,
  gitResult,
  lsTree,
  renderedBlobs,
  renderedCommit,
  repoPerTest,
  tip,
  type Repo,
} from './git-helpers.js';
import { scratchDir } from '../scratch.js';

const ORIGIN = 'https://x-access-token:s3cr3t-t0ken@git.example.com/acme/fleet.git';
const REPO_URL = 'https://git.example.com/acme/fleet.git';
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';

const newRepo = repoPerTest();
const repo = (options: { origin?: string } = { origin: ORIGIN }) => newRepo(options);

/** App directories of rendered/ (second level, not under argocd/), worked out independently of the code under test. */
function appDirs(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    if (parts.length === 3 && parts[0] !== 'argocd') out.add(`${parts[0]}/${parts[1]}`);
  }
  return [...out].sort();
}

/** Sets dev/catalog-api's cache TTL in its dev overlay and renders (one app in one environment changes). */
async function setTtl(r: Repo, value: string): Promise<void> {
  const file = join(r.root, OVERLAY);
  const text = readFileSync(file, 'utf8');
  if (!/CACHE_TTL_SECONDS: "\d+"/.test(text)) throw new Error(`${OVERLAY} has no CACHE_TTL_SECONDS`);
  writeFileSync(file, text.replace(/CACHE_TTL_SECONDS: "\d+"/, `CACHE_TTL_SECONDS: "${value}"`));
  const rendered = await cli(['--root', r.root, 'render', '-q']);
  expect(rendered.stderr).toBe('');
}

/** setTtl, then commits on main; returns the new dry sha. */
async function changeOneApp(r: Repo, value: string): Promise<string> {
  await setTtl(r, value);
  return r.commitAll(`Cache catalog for ${value}s in dev\n\nWhy: load tests.`);
}

describe('rendered-commit', () => {
  it('commits rendered/ plus provenance to the rendered branch, without checking it out', async () => {
    const r = await repo();
    const dry = git(r.root, 'rev-parse', 'HEAD').trim();
    const res = await renderedCommit(r.root);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^committed [0-9a-f]{7} to rendered/);

    expectFsckClean(r.root);
    expect(git(r.root, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(r.root, 'status', '--porcelain')).toBe('');

    // The tree: rendered/ at the root, plus provenance.
    const files = renderedBlobs(r.root);
    const tree = lsTree(r.root, 'refs/heads/rendered');
    const apps = appDirs(files.keys());
    expect(apps.length).toBeGreaterThan(10);
    const expectedPaths = [...files.keys(), 'hydrator.metadata', '.gitattributes', ...apps.flatMap((a) => [`${a}/hydrator.metadata`, `${a}/README.md`])].sort();
    expect([...tree.keys()].sort()).toEqual(expectedPaths);
    for (const [path, oid] of files) expect(tree.get(path), path).toBe(oid);
    // Nothing Argo CD would parse was added to an app directory, and argocd/ got no provenance.
    for (const path of tree.keys()) if (!files.has(path)) expect(path).not.toMatch(/\.(ya?ml|json)$/);
    expect([...tree.keys()].filter((p) => p.startsWith('argocd/') && !files.has(p))).toEqual([]);

    // Byte for byte as Argo CD's commit server writes it: Go's field order, two-space indent, the
    // author date in UTC, the body as its lines each ending in a newline, a final newline.
    expect(git(r.root, 'show', 'refs/heads/rendered:hydrator.metadata')).toBe(
      `{\n  "repoURL": "${REPO_URL}",\n  "drySha": "${dry}",\n  "author": "Dry Author <dry@example.com>",\n  "date": "2024-05-01T08:00:00Z",\n` +
        `  "subject": "Add the fleet",\n  "body": "First body line.\\nSecond body line.\\n"\n}\n`,
    );
    // The hydrator note on the tip, as `git notes` shows it.
    expect(git(r.root, 'notes', '--ref=hydrator.metadata', 'show', 'refs/heads/rendered')).toBe(`{"drySha":"${dry}"}\n`);
    const app = JSON.parse(git(r.root, 'show', 'refs/heads/rendered:dev/orders-api/hydrator.metadata'));
    expect(app).toEqual({ repoURL: REPO_URL, drySha: dry, commands: ['npm ci', 'npm run render -- --env dev --app orders-api'] });
    const readme = git(r.root, 'show', 'refs/heads/rendered:dev/orders-api/README.md');
    expect(readme).toContain(`git checkout ${dry}`);
    expect(readme).toContain('npm run render -- --env dev --app orders-api');
    expect(git(r.root, 'show', 'refs/heads/rendered:.gitattributes')).toBe('**/README.md linguist-generated=true\n**/hydrator.metadata linguist-generated=true\n');
    expect(JSON.stringify(tree)).not.toContain('s3cr3t');
    expect(git(r.root, 'cat-file', '-p', 'refs/heads/rendered')).not.toContain('s3cr3t');

    // The commit: subject, body, trailer, identities, no parent, dated like the dry commit.
    const log = git(r.root, 'log', '--format=%s%n%b%n--%n%an <%ae>|%cn <%ce>|%aI|%P', 'refs/heads/rendered');
    expect(log).toBe(
      `${dry.slice(0, 7)}: Add the fleet\nFirst body line.\nSecond body line.\n\nCo-authored-by: Dry Author <dry@example.com>\n\n--\n` +
        `${DEFAULT_IDENTITY.name} <${DEFAULT_IDENTITY.email}>|${DEFAULT_IDENTITY.name} <${DEFAULT_IDENTITY.email}>|2024-05-01T10:00:00+02:00|\n`,
    );

    // A second run finds nothing to commit.
    const before = tip(r.root);
    const again = await renderedCommit(r.root);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^nothing to commit/);
    expect(tip(r.root)).toBe(before);
  });

  it('commits a one-app change as a child commit touching only that app and the root metadata', async () => {
    const r = await repo();
    const firstDry = git(r.root, 'rev-parse', 'HEAD').trim();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const first = tip(r.root)!;

    const secondDry = await changeOneApp(r, '7');
    const res = await renderedCommit(r.root);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('~ dev/catalog-api');
    const second = tip(r.root)!;
    expect(second).not.toBe(first);
    expectFsckClean(r.root);

    expect(git(r.root, 'rev-parse', `${second}^`).trim()).toBe(first);
    expect(git(r.root, 'log', '--format=%s', 'refs/heads/rendered').trim().split('\n')).toEqual([
      `${secondDry.slice(0, 7)}: Cache catalog for 7s in dev`,
      `${firstDry.slice(0, 7)}: Add the fleet`,
    ]);
    const changed = git(r.root, 'diff', '--name-only', first, second).trim().split('\n');
    expect(changed).toContain('hydrator.metadata');
    expect(changed).toContain('dev/catalog-api/hydrator.metadata');
    expect(changed).toContain('dev/catalog-api/README.md');
    expect(changed).toContain('dev/catalog-api/configmap-catalog-api-config.yaml');
    for (const path of changed) expect(path === 'hydrator.metadata' || path.startsWith('dev/catalog-api/'), path).toBe(true);
    // Untouched apps keep naming the dry commit that produced their manifests.
    expect(JSON.parse(git(r.root, 'show', 'refs/heads/rendered:dev/orders-api/hydrator.metadata')).drySha).toBe(firstDry);
    expect(JSON.parse(git(r.root, 'show', 'refs/heads/rendered:dev/catalog-api/hydrator.metadata')).drySha).toBe(secondDry);
    expect(lsTree(r.root, 'refs/heads/rendered').get('dev/catalog-api/configmap-catalog-api-config.yaml')).toBe(
      renderedBlobs(r.root).get('dev/catalog-api/configmap-catalog-api-config.yaml'),
    );

    // A dry commit that renders the same manifests makes no commit.
    writeFileSync(join(r.root, 'NOTES.md'), 'notes\n');
    const docsDry = r.commitAll('Docs only');
    const none = await renderedCommit(r.root);
    expect(none.stdout).toMatch(/^nothing to commit/);
    expect(tip(r.root)).toBe(second);
    // ... but the tip's note says it is hydrated at the new dry commit (Promoter reads the note first).
    expect(none.stdout).toMatch(/noted drySha [0-9a-f]{7} on 1 proposed tip in refs\/notes\/hydrator.metadata/);
    expect(JSON.parse(git(r.root, 'notes', '--ref=hydrator.metadata', 'show', second))).toEqual({ drySha: docsDry });
    const notesTip = tip(r.root, 'refs/notes/hydrator.metadata');
    expect((await renderedCommit(r.root)).stdout).toMatch(/already notes/);
    expect(tip(r.root, 'refs/notes/hydrator.metadata')).toBe(notesTip);

    // Changing it back is a change again, and the branch keeps growing forward.
    await changeOneApp(r, '5');
    expect((await renderedCommit(r.root)).code).toBe(0);
    expect(git(r.root, 'rev-list', '--count', 'refs/heads/rendered').trim()).toBe('3');
    const now = lsTree(r.root, 'refs/heads/rendered');
    const then = lsTree(r.root, first);
    const differing = [...new Set([...now.keys(), ...then.keys()])].filter((p) => now.get(p) !== then.get(p)).sort();
    expect(differing).toEqual(['dev/catalog-api/README.md', 'dev/catalog-api/hydrator.metadata', 'hydrator.metadata']);
    expectFsckClean(r.root);
  });

  it('gives the same commit for the same dry commit and parent, on any machine', async () => {
    const r = await repo();
    const copy = scratchDir('gitops-bridge-copy-');
    try {
      cpSync(r.root, copy, { recursive: true });
      expect((await renderedCommit(r.root)).code).toBe(0);
      expect((await renderedCommit(copy, [], { TZ: 'Pacific/Chatham', LC_ALL: 'tr_TR.UTF-8' })).code).toBe(0);
      expect(tip(copy)).toBe(tip(r.root));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('works on a packed repository (git gc: packed objects and packed-refs)', async () => {
    const r = await repo();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const first = tip(r.root)!;
    git(r.root, 'gc', '-q', '--prune=now');
    expect(git(r.root, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    await changeOneApp(r, '9');
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/committed .* \(\d+ objects written/);
    // Only the changed app's directory chain, its files and the metadata were written: not the whole tree.
    const written = Number(/\((\d+) objects written/.exec(res.stdout)![1]);
    expect(written).toBeLessThan(15);
    expect(git(r.root, 'rev-parse', `${tip(r.root)}^`).trim()).toBe(first);
    expectFsckClean(r.root);
  });

  it('honours GIT_AUTHOR_*/GIT_COMMITTER_* and --author', async () => {
    const r = await repo();
    const env = { GIT_AUTHOR_NAME: 'CI Bot', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'Committer', GIT_COMMITTER_EMAIL: 'c@example.com' };
    expect((await renderedCommit(r.root, [], env)).code).toBe(0);
    expect(git(r.root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'refs/heads/rendered').trim()).toBe('CI Bot <ci@example.com>|Committer <c@example.com>');
    await changeOneApp(r, '11');
    expect((await renderedCommit(r.root, ['--author', 'Rel Eng <rel@example.com>'])).code).toBe(0);
    expect(git(r.root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'refs/heads/rendered').trim()).toBe('Rel Eng <rel@example.com>|Rel Eng <rel@example.com>');
    const bad = await renderedCommit(r.root, ['--author', 'nobody']);
    expect(bad.code).toBe(2);
  });

  it('continues origin/rendered when a fresh clone has no local rendered branch', async () => {
    const r = await repo();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const first = tip(r.root)!;
    git(r.root, 'update-ref', 'refs/remotes/origin/rendered', first);
    git(r.root, 'update-ref', '-d', 'refs/heads/rendered');
    await changeOneApp(r, '13');
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('continuing origin/rendered');
    expect(git(r.root, 'rev-parse', 'refs/heads/rendered^').trim()).toBe(first);
  });
});

describe('rendered-commit refuses', () => {
  it('a stale rendered/', async () => {
    const r = await repo();
    replaceInFile(join(r.root, 'rendered/dev/orders-api/service-orders-api.yaml'), 'kind: Service', 'kind: Service\n# edited');
    r.commitAll('Hand edit');
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('rendered/ is stale');
    expect(res.stderr).toContain('dev/orders-api/service-orders-api.yaml');
    expect(tip(r.root)).toBeUndefined();
  });

  it('uncommitted changes under manifests/, infra/outputs/ or rendered/, unless --allow-dirty', async () => {
    const r = await repo();
    await setTtl(r, '1');
    writeFileSync(join(r.root, 'infra/outputs/extra.txt'), 'untracked\n');
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('uncommitted changes');
    expect(res.stderr).toContain(`modified ${OVERLAY}`);
    expect(res.stderr).toContain('modified rendered/dev/catalog-api/configmap-catalog-api-config.yaml');
    expect(res.stderr).toContain('untracked infra/outputs/extra.txt');
    expect(res.stderr).toContain('--allow-dirty');
    expect(tip(r.root)).toBeUndefined();

    // Ignored files do not count.
    writeFileSync(join(r.root, '.git/info/exclude'), '*.txt\n');
    const ignored = await renderedCommit(r.root);
    expect(ignored.stderr).toContain(`modified ${OVERLAY}`);
    expect(ignored.stderr).not.toContain('extra.txt');

    const forced = await renderedCommit(r.root, ['--allow-dirty']);
    expect(forced.code).toBe(0);
    expect(lsTree(r.root, 'refs/heads/rendered').get('dev/catalog-api/configmap-catalog-api-config.yaml')).toBe(
      renderedBlobs(r.root).get('dev/catalog-api/configmap-catalog-api-config.yaml'),
    );
    expectFsckClean(r.root);
  });

  it('to run without a repository URL, on the rendered branch itself, or before the first commit', async () => {
    const r = await repo({});
    const noUrl = await renderedCommit(r.root);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--repo-url');
    expect((await renderedCommit(r.root, ['--repo-url', 'https://u:p@example.com/x.git'])).code).toBe(0);
    expect(JSON.parse(git(r.root, 'show', 'refs/heads/rendered:hydrator.metadata')).repoURL).toBe('https://example.com/x.git');

    git(r.root, 'symbolic-ref', 'HEAD', 'refs/heads/rendered');
    const onBranch = await renderedCommit(r.root, ['--repo-url', REPO_URL]);
    expect(onBranch.code).toBe(2);
    expect(onBranch.stderr).toContain('HEAD is the rendered branch');

    git(r.root, 'symbolic-ref', 'HEAD', 'refs/heads/unborn');
    const unborn = await renderedCommit(r.root, ['--repo-url', REPO_URL]);
    expect(unborn.code).toBe(2);
    expect(unborn.stderr).toContain('has no commit yet');
  });
});

describe('the branch only moves forward', () => {
  /** Builds a commit on `parent` from rendered/ with one extra file, without moving any ref. */
  async function build(root: string, parent: string | undefined, extra: string): Promise<string> {
    const dirs = findRepository(root);
    const store = new ObjectStore(dirs.commondir);
    const files = scanDir(join(root, 'rendered'));
    const content = Buffer.from(`${extra}\n`);
    files.set(`dev/extra/${extra}.yaml`, { oid: hashObject('blob', content), mode: '100644', content });
    const dry = await readDryCommit(store, git(root, 'rev-parse', 'HEAD').trim());
    const sig = { ...DEFAULT_IDENTITY, timestamp: 1714550400, offset: 0 };
    const r = await buildRenderedCommit({ store, files, dry, repoURL: REPO_URL, projectPrefix: '', parent, author: sig, committer: sig });
    return r.commit!;
  }

  it('of two writers from the same tip, one wins and the other fails and changes nothing', async () => {
    const r = await repo();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const start = tip(r.root)!;
    const a = await build(r.root, start, 'a');
    const b = await build(r.root, start, 'b');
    const dirs = findRepository(r.root);
    const results = await Promise.allSettled(
      [a, b].map(async (next) => compareAndSwapRef(dirs, { ref: 'refs/heads/rendered', expected: start, next })),
    );
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(String(loser.reason.message)).toMatch(/moved while this run was working/);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    expect(tip(r.root)).toBe(winner);
    expect(git(r.root, 'rev-parse', `${winner}^`).trim()).toBe(start);
    expectFsckClean(r.root);
  });

  it('refuses to move a ref that is not at the expected tip, and waits out or reports a held lock', async () => {
    const r = await repo();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const start = tip(r.root)!;
    const next = await build(r.root, start, 'c');
    const dirs = findRepository(r.root);
    expect(() => compareAndSwapRef(dirs, { ref: 'refs/heads/rendered', expected: undefined, next })).toThrow(/moved/);
    expect(() => compareAndSwapRef(dirs, { ref: 'refs/heads/rendered', expected: next, next })).toThrow(/moved/);
    writeFileSync(lockPathOf(dirs, 'refs/heads/rendered'), '');
    expect(() => compareAndSwapRef(dirs, { ref: 'refs/heads/rendered', expected: start, next, waitMs: 50 })).toThrow(/rendered.lock exists/);
    expect(tip(r.root)).toBe(start);
    rmSync(lockPathOf(dirs, 'refs/heads/rendered'));
    compareAndSwapRef(dirs, { ref: 'refs/heads/rendered', expected: start, next });
    expect(tip(r.root)).toBe(next);
    expect(git(r.root, 'reflog', '--format=%H', 'refs/heads/rendered').trim().split('\n')[0]).toBe(start);
  });

  it('two rendered-commit processes at once: each succeeds or fails cleanly, and no reported commit is lost', async () => {
    const r = await repo();
    const runOne = (url: string) =>
      new Promise<{ code: number; out: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'generators/cli/main.ts'), '--root', r.root, 'rendered-commit', '--repo-url', url], { cwd: repoRoot, env: bridgeEnv() });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => done({ code: code ?? -1, out }));
      });
    const results = await Promise.all([runOne('https://one.example.com/r.git'), runOne('https://two.example.com/r.git')]);
    const final = tip(r.root)!;
    expect(final).toBeDefined();
    for (const x of results) {
      if (x.code === 0) {
        const m = /^committed ([0-9a-f]{7})/m.exec(x.out);
        if (m) expect(final.startsWith(m[1]!)).toBe(true);
        else expect(x.out).toMatch(/nothing to commit/);
      } else {
        expect(x.code).toBe(1);
        expect(x.out).toMatch(/moved while this run was working|rendered\.lock exists/);
        expect(x.out).not.toMatch(/internal error/);
      }
    }
    expect(results.filter((x) => /^committed [0-9a-f]{7}/m.test(x.out))).toHaveLength(1);
    expect(git(r.root, 'rev-list', '--count', 'refs/heads/rendered').trim()).toBe('1');
    expectFsckClean(r.root);
  });
});
