/**
 * Reading the repository through generators/git: every object read is verified, and what goes
 * wrong inside git (a missing or corrupt object, a damaged pack, a bad ref, a held lock, a ref
 * that moved) is a BridgeError with a git-* code and a hint, printed by the CLI without a stack
 * trace. Damage is made by hand and, where git has an opinion, checked against `git fsck`.
 */
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { compareAndSwapRef, lockPathOf } from '../../generators/git/lock.js';
import { hashObject } from '../../generators/git/object-format.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { readRef } from '../../generators/git/refs.js';
import { findRepository } from '../../generators/git/repo.js';
import { git, gitResult, renderedCommit, repoPerTest, tip } from './git-helpers.js';
import { scratchDir } from '../scratch.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A repository with `n` commits on main, each changing f.txt; returns it and the commits, oldest first. */
function historyRepo(n: number): { repo: string; commits: string[] } {
  const repo = scratchDir('gitops-bridge-store-');
  dirs.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  const commits: string[] = [];
  for (let i = 0; i < n; i++) {
    writeFileSync(join(repo, 'f.txt'), `version ${i}\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `c${i}`);
    commits.push(git(repo, 'rev-parse', 'HEAD').trim());
  }
  return { repo, commits };
}

const loosePath = (repo: string, oid: string) => join(repo, '.git/objects', oid.slice(0, 2), oid.slice(2));

/** Replaces a loose object's file (git makes them read-only). */
function overwriteLoose(repo: string, oid: string, bytes: Buffer): void {
  const file = loosePath(repo, oid);
  rmSync(file);
  writeFileSync(file, bytes);
}

/** What `f` throws (or rejects with), which must be a BridgeError. */
async function thrown(f: () => unknown): Promise<BridgeError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    return e as BridgeError;
  }
  throw new Error('expected an error');
}

describe('reading objects', () => {
  it('refuses a loose object that does not hash to its id, or does not inflate, with git-corrupt-object', async () => {
    const { repo, commits } = historyRepo(1);
    const blob = git(repo, 'rev-parse', 'HEAD:f.txt').trim();
    const store = new ObjectStore(join(repo, '.git'));
    expect((await store.read(blob)).content.toString()).toBe('version 0\n');

    // Well-formed, but another content: only a hash check can tell.
    overwriteLoose(repo, blob, deflateSync(Buffer.from('blob 9\0tampered\n')));
    expect(gitResult(repo, 'fsck', '--full').stderr).toMatch(/mismatch/i);
    const mismatch = await thrown(() => new ObjectStore(join(repo, '.git')).read(blob));
    expect(mismatch.code).toBe('git-corrupt-object');
    expect(mismatch.message).toContain(blob);
    expect(mismatch.hint).toMatch(/git fsck --full/);

    // Not zlib at all.
    overwriteLoose(repo, blob, Buffer.from('this is not a zlib stream'));
    expect((await thrown(() => new ObjectStore(join(repo, '.git')).read(blob))).code).toBe('git-corrupt-object');

    // The commit itself, damaged: reading it as a commit fails the same way.
    overwriteLoose(repo, commits[0]!, deflateSync(Buffer.from('commit 4\0junk')));
    expect((await thrown(() => new ObjectStore(join(repo, '.git')).readCommit(commits[0]!))).code).toBe('git-corrupt-object');
  });

  it('refuses an object of the wrong type or that does not parse, and reports a missing one as git-object-missing', async () => {
    const { repo } = historyRepo(1);
    const store = new ObjectStore(join(repo, '.git'));
    const blob = git(repo, 'rev-parse', 'HEAD:f.txt').trim();
    const wrongType = await thrown(() => store.readTree(blob));
    expect(wrongType.code).toBe('git-corrupt-object');
    expect(wrongType.message).toMatch(/is a blob where a tree was expected/);

    // A tree object whose id is right but whose entries are not a tree's.
    const garbage = Buffer.from('100644 no-nul-and-no-id');
    const oid = store.write('tree', garbage);
    expect(oid).toBe(hashObject('tree', garbage));
    expect((await thrown(() => store.readTree(oid))).code).toBe('git-corrupt-object');

    const absent = 'ab'.repeat(20);
    const missing = await thrown(() => store.readCommit(absent));
    expect(missing.code).toBe('git-object-missing');
    expect(missing.message).toContain(absent);
    expect(missing.hint).toMatch(/shallow/);
  });

  it('reads a packed repository, and refuses a pack whose bytes were damaged', async () => {
    const { repo, commits } = historyRepo(6);
    git(repo, 'gc', '-q', '--prune=now');
    expect(readdirSync(join(repo, '.git/objects')).filter((d) => /^[0-9a-f]{2}$/.test(d))).toEqual([]); // nothing loose
    const store = new ObjectStore(join(repo, '.git'));
    const c = await store.readCommit(commits[2]!);
    expect(c.parents).toEqual([commits[1]]);
    const entries = await store.readTree(c.tree);
    expect(entries.map((e) => e.name)).toEqual(['f.txt']);
    expect((await store.read(entries[0]!.oid)).content.toString()).toBe('version 2\n');

    // One byte of that commit's own packed bytes flipped (where `git verify-pack -v` says they are).
    const packDir = join(repo, '.git/objects/pack');
    const pack = join(packDir, readdirSync(packDir).find((n) => n.endsWith('.pack'))!);
    const line = git(repo, 'verify-pack', '-v', pack.replace(/\.pack$/, '.idx')).split('\n').find((l) => l.startsWith(commits[2]!))!;
    const [, , , sizeInPack, offset] = line.split(/\s+/).map(Number) as number[];
    const bytes = readFileSync(pack);
    const at = offset! + Math.floor(sizeInPack! / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    chmodSync(pack, 0o644);
    writeFileSync(pack, bytes);
    const damaged = await thrown(() => new ObjectStore(join(repo, '.git')).readCommit(commits[2]!));
    expect(damaged.code).toBe('git-corrupt-object');
    expect(damaged.hint).toMatch(/git fsck/);
  });

  it('walks history with isDescendent: ancestors found, other lines and a shallow boundary answer "no"', async () => {
    const { repo, commits } = historyRepo(4);
    git(repo, 'checkout', '-q', '-b', 'side', commits[1]!);
    writeFileSync(join(repo, 'g.txt'), 'side\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'side');
    const side = git(repo, 'rev-parse', 'HEAD').trim();
    const store = new ObjectStore(join(repo, '.git'));
    expect(await store.isAncestor(commits[0]!, commits[3]!)).toBe(true);
    expect(await store.isAncestor(commits[3]!, commits[3]!)).toBe(true);
    expect(await store.isAncestor(commits[3]!, commits[0]!)).toBe(false);
    expect(await store.isAncestor(side, commits[3]!)).toBe(false);
    expect(await store.isAncestor(commits[1]!, side)).toBe(true);

    const shallow = scratchDir('gitops-bridge-shallow-');
    dirs.push(shallow);
    git(shallow, 'clone', '-q', '--depth', '1', '--branch', 'main', `file://${repo}`, '.');
    const s = new ObjectStore(join(shallow, '.git'));
    expect(await s.isAncestor(commits[2]!, commits[3]!)).toBe(true); // a parent named by the shallow commit itself
    expect(await s.isAncestor(commits[0]!, commits[3]!)).toBe(false); // beyond the boundary: not shown, so no
  });
});

describe('refs', () => {
  it('a ref that holds no object id, or a loop of symbolic refs, is git-bad-ref', async () => {
    const { repo } = historyRepo(1);
    const d = findRepository(repo);
    writeFileSync(join(repo, '.git/refs/heads/broken'), 'not an id\n');
    const bad = await thrown(() => readRef(d, 'refs/heads/broken'));
    expect(bad.code).toBe('git-bad-ref');
    expect(bad.hint).toMatch(/git update-ref refs\/heads\/broken/);
    writeFileSync(join(repo, '.git/refs/heads/a'), 'ref: refs/heads/b\n');
    writeFileSync(join(repo, '.git/refs/heads/b'), 'ref: refs/heads/a\n');
    expect((await thrown(() => readRef(d, 'refs/heads/a'))).code).toBe('git-bad-ref');
  });

  it('a held lock is git-ref-locked and a ref that moved is git-ref-moved; neither changes the ref', async () => {
    const { repo, commits } = historyRepo(2);
    const d = findRepository(repo);
    git(repo, 'update-ref', 'refs/heads/rendered', commits[0]!);
    const moved = await thrown(() => compareAndSwapRef(d, { ref: 'refs/heads/rendered', expected: commits[1], next: commits[1]! }));
    expect(moved.code).toBe('git-ref-moved');
    writeFileSync(lockPathOf(d, 'refs/heads/rendered'), '');
    const locked = await thrown(() => compareAndSwapRef(d, { ref: 'refs/heads/rendered', expected: commits[0], next: commits[1]!, waitMs: 30 }));
    expect(locked.code).toBe('git-ref-locked');
    expect(locked.file).toBe(lockPathOf(d, 'refs/heads/rendered'));
    expect(tip(repo)).toBe(commits[0]);
  });
});

describe('the CLI', () => {
  const repo = repoPerTest();

  it('rendered-commit stops on a corrupt object of the branch with the typed error and its hint, no stack trace, the branch unchanged', async () => {
    const r = await repo();
    const url = ['--repo-url', 'https://git.example.com/acme/fleet.git'];
    expect((await renderedCommit(r.root, url)).code).toBe(0);
    const before = tip(r.root)!;
    const tree = git(r.root, 'rev-parse', 'rendered^{tree}').trim();
    overwriteLoose(r.root, tree, deflateSync(Buffer.from('tree 0\0')));
    const res = await renderedCommit(r.root, url);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error: object ${tree.slice(0, 7)} (${tree}) is corrupt`);
    expect(res.stderr).toMatch(/hint: run `git fsck --full`/);
    expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(tip(r.root)).toBe(before);
  });
});
