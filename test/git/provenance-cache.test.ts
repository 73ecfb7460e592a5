/**
 * What saves a commit reading: the provenance cache (generators/git/provenance-cache.ts) saves
 * reading the parent's app directories, and blob ids known from the render's manifest save
 * reading rendered/. Nothing else: whatever the cache holds (right, stale, another repository's,
 * corrupt), a commit comes out byte for byte as it does without it.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildRenderedCommit, readDryCommit, type BuildResult } from '../../generators/git/commit.js';
import { DEFAULT_IDENTITY } from '../../generators/git/identity.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { ProvenanceCache, type AppProvenance } from '../../generators/git/provenance-cache.js';
import { findRepository } from '../../generators/git/repo.js';
import { commitRenderedBranch } from '../../generators/git/rendered-branch.js';
import { scanDir } from '../../generators/git/worktree.js';
import { cli } from '../helpers.js';
import { bridgeEnv, expectFsckClean, git, lsTree, renderedBlobs, renderedCommit, repoPerTest, tip, type Repo } from './git-helpers.js';

const ORIGIN = 'https://git.example.com/acme/fleet.git';
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';

const repo = repoPerTest();

/** A repository whose rendered branch has one commit, with main one app change ahead of it (committed). */
async function oneAppAhead(): Promise<Repo> {
  const r = await repo({ origin: ORIGIN });
  expect((await renderedCommit(r.root)).code).toBe(0);
  const file = join(r.root, OVERLAY);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "42"'));
  expect((await cli(['--root', r.root, 'render', '-q'])).code).toBe(0);
  r.commitAll('Cache catalog for 42s in dev');
  return r;
}

const cacheFile = (root: string) => join(root, '.git/gitops-bridge/provenance-cache');

/** The next rendered commit of `root` built with `cache`, and how many trees it read. */
async function build(root: string, cache: ProvenanceCache): Promise<{ result: BuildResult; treeReads: number }> {
  const dirs = findRepository(root);
  const store = new ObjectStore(dirs.commondir);
  const readTree = vi.spyOn(store, 'readTree');
  const dry = await readDryCommit(store, git(root, 'rev-parse', 'HEAD').trim());
  // Who and when as rendered-commit has them by default, so the command makes this very commit.
  const sig = { ...DEFAULT_IDENTITY, timestamp: dry.committer.timestamp, offset: dry.committer.offset };
  const result = await buildRenderedCommit({
    store,
    files: scanDir(join(root, 'rendered')),
    dry,
    repoURL: ORIGIN,
    projectPrefix: '',
    parent: tip(root),
    author: sig,
    committer: sig,
    provenance: cache,
  });
  return { result, treeReads: readTree.mock.calls.length };
}

/** A build's result but for which of its objects were new: the first build of a commit writes them, the next finds them. */
function outcome(r: BuildResult) {
  const { written, present, ...rest } = r;
  return { ...rest, objects: written + present };
}

/** The app directories of the rendered branch's tip, with their provenance, as git sees them. */
function branchApps(root: string): Map<string, { tree: string } & AppProvenance> {
  const out = new Map<string, { tree: string } & AppProvenance>();
  const files = lsTree(root, 'refs/heads/rendered');
  for (const line of git(root, 'ls-tree', '-r', '-d', 'refs/heads/rendered').trim().split('\n')) {
    const [meta, path] = line.split('\t') as [string, string];
    const metadata = files.get(`${path}/hydrator.metadata`);
    const readme = files.get(`${path}/README.md`);
    if (metadata && readme) out.set(path, { tree: meta.split(' ')[2]!, metadata, readme });
  }
  return out;
}

/** Writes a cache holding exactly `entries` (tree id -> provenance). */
function writeCache(root: string, entries: Map<string, AppProvenance>): void {
  rmSync(cacheFile(root), { force: true });
  const cache = ProvenanceCache.load(join(root, '.git'));
  cache.replace(entries);
  cache.save();
}

describe('provenance cache', () => {
  it('is written by a commit with every app directory, and spares the next commit reading them', async () => {
    const r = await oneAppAhead();
    const apps = branchApps(r.root);
    expect(apps.size).toBeGreaterThan(10);
    const cache = ProvenanceCache.load(join(r.root, '.git'));
    expect(cache.size).toBe(apps.size);
    for (const a of apps.values()) expect(cache.get(a.tree)).toEqual({ metadata: a.metadata, readme: a.readme });

    const cold = await build(r.root, ProvenanceCache.none());
    const warm = await build(r.root, ProvenanceCache.load(join(r.root, '.git')));
    expect(outcome(warm.result)).toEqual(outcome(cold.result));
    expect(warm.result.changedApps).toEqual(['dev/catalog-api']);
    // Without the cache every app directory of the parent is read; with it, the changed one only.
    expect(cold.treeReads).toBeGreaterThanOrEqual(apps.size);
    expect(warm.treeReads).toBeLessThan(cold.treeReads - apps.size + 5);
  });

  it('never changes a commit, whatever it holds: stale, swapped, foreign, truncated or corrupt', async () => {
    const r = await oneAppAhead();
    const expected = (await build(r.root, ProvenanceCache.none())).result;
    const apps = [...branchApps(r.root).values()];
    const rotated = new Map(apps.map((a, i) => [a.tree, apps[(i + 1) % apps.length]!] as const));
    const variants: [string, () => void][] = [
      // The parent's own provenance for every directory (the changed app's included: its manifests moved on).
      ['right', () => writeCache(r.root, new Map(apps.map((a) => [a.tree, a]))) ],
      // Every directory proposed another app's provenance.
      ['swapped', () => writeCache(r.root, new Map([...rotated].map(([t, a]) => [t, { metadata: a.metadata, readme: a.readme }])))],
      // Metadata and README exchanged.
      ['crossed', () => writeCache(r.root, new Map(apps.map((a) => [a.tree, { metadata: a.readme, readme: a.metadata }])))],
      // Ids that exist nowhere.
      ['bogus', () => writeCache(r.root, new Map(apps.map((a, i) => [a.tree, { metadata: String(i).padStart(40, '1'), readme: String(i).padStart(40, '2') }])))],
      ['truncated', () => writeFileSync(cacheFile(r.root), readFileSync(cacheFile(r.root)).subarray(0, 100))],
      ['garbage', () => writeFileSync(cacheFile(r.root), Buffer.alloc(4096, 0xab))],
      ['empty', () => writeFileSync(cacheFile(r.root), '')],
    ];
    for (const [name, prepare] of variants) {
      prepare();
      const got = (await build(r.root, ProvenanceCache.load(join(r.root, '.git')))).result;
      expect(outcome(got), name).toEqual(outcome(expected));
    }

    // And through the command: the commit it makes is the one built without any cache.
    writeCache(r.root, new Map([...rotated].map(([t, a]) => [t, { metadata: a.metadata, readme: a.readme }])));
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(0);
    expect(tip(r.root)).toBe(expected.commit);
    expectFsckClean(r.root);
  });

  it('is left alone when nothing changed, and a cache that cannot be written does not fail a commit', async () => {
    const r = await oneAppAhead();
    expect((await renderedCommit(r.root)).code).toBe(0);
    const before = readFileSync(cacheFile(r.root));
    const mtime = statSync(cacheFile(r.root)).mtimeMs;
    r.commitAll('Nothing rendered changes');
    const none = await renderedCommit(r.root);
    expect(none.stdout).toMatch(/nothing to commit/);
    expect(statSync(cacheFile(r.root)).mtimeMs).toBe(mtime);
    expect(readFileSync(cacheFile(r.root))).toEqual(before);

    const file = join(r.root, OVERLAY);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, 'CACHE_TTL_SECONDS: "43"'));
    expect((await cli(['--root', r.root, 'render', '-q'])).code).toBe(0);
    r.commitAll('Cache catalog for 43s in dev');
    rmSync(join(r.root, '.git/gitops-bridge'), { recursive: true, force: true });
    writeFileSync(join(r.root, '.git/gitops-bridge'), 'in the way\n');
    const res = await renderedCommit(r.root);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^committed /);
    expect(git(r.root, 'diff', '--name-only', 'refs/heads/rendered^', 'refs/heads/rendered').trim().split('\n')).toContain('dev/catalog-api/hydrator.metadata');
    expectFsckClean(r.root);
  });
});

describe('rendered/ files known by id', () => {
  const commit = (root: string, known: (path: string) => string | undefined, allowDirty = false) =>
    commitRenderedBranch({ projectRoot: root, repoURL: ORIGIN, env: bridgeEnv(), log: () => undefined, allowDirty, knownBlobs: (path) => known(path) });

  it('are not read, and make the same commit as reading them', async () => {
    const r = await oneAppAhead();
    const expected = (await build(r.root, ProvenanceCache.none())).result;
    const blobs = renderedBlobs(r.root);
    const asked: string[] = [];
    const res = await commit(r.root, (path) => (asked.push(path), blobs.get(path)));
    expect(asked.sort()).toEqual([...blobs.keys()].sort());
    expect(res.commit).toBe(expected.commit);
    expect(tip(r.root)).toBe(expected.commit);
    expectFsckClean(r.root);
  });

  it('are checked when a commit has to write them: a file that does not hold its known id is refused', async () => {
    const r = await oneAppAhead();
    const changed = 'dev/catalog-api/configmap-catalog-api-config.yaml';
    const wrong = 'f'.repeat(40);
    const before = tip(r.root);
    // Without --allow-dirty the dirty check already sees rendered/ differ from the dry commit.
    await expect(commit(r.root, (path) => (path === changed ? wrong : undefined))).rejects.toThrow(/uncommitted changes/);
    await expect(commit(r.root, (path) => (path === changed ? wrong : undefined), true)).rejects.toThrow(/changed while it was being committed/);
    expect(tip(r.root)).toBe(before);
    expect(lsTree(r.root, 'refs/heads/rendered').get(changed)).not.toBe(renderedBlobs(r.root).get(changed));
    expectFsckClean(r.root);
  });
});
