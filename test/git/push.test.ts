/** `rendered-commit --push` against a real git server (git http-backend) on 127.0.0.1. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRenderedCommit, readDryCommit } from '../../generators/git/commit.js';
import { DEFAULT_IDENTITY } from '../../generators/git/identity.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { pushCommit } from '../../generators/git/push.js';
import { findRepository } from '../../generators/git/repo.js';
import { scanDir } from '../../generators/git/worktree.js';
import { exampleRepo, expectFsckClean, git, gitServerPerFile, commitTtl, renderedCommit, tip, type Repo } from './git-helpers.js';
import { scratchDir } from '../scratch.js';

const TOKEN = 'tok-9f8e7d6c5b4a';
const served = gitServerPerFile(TOKEN);
const cleanups = served.cleanups;

/** A developer/CI repository whose origin is a bare copy of it served over HTTP. */
async function setup(name: string): Promise<{ a: Repo; bare: string; url: string }> {
  const a = await exampleRepo();
  cleanups.push(a.cleanup);
  const bare = join(served.dir, `${name}.git`);
  git(served.dir, 'clone', '-q', '--bare', a.root, bare);
  git(bare, 'config', 'http.receivepack', 'true');
  const url = served.server.url(`${name}.git`);
  git(a.root, 'remote', 'add', 'origin', url);
  return { a, bare, url };
}

/** What CI has: a shallow clone of main only, no rendered branch, no tracking ref. */
function ciClone(bare: string, url: string): string {
  const dir = scratchDir('gitops-bridge-ci-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  git(tmpdir(), 'clone', '-q', '--single-branch', '--branch', 'main', '--depth', '1', `file://${bare}`, dir);
  git(dir, 'remote', 'set-url', 'origin', url);
  return dir;
}


const withToken = { GITOPS_BRIDGE_GIT_TOKEN: TOKEN };

describe('rendered-commit --push', () => {
  it('publishes, then a fresh CI clone continues the remote history', async () => {
    const { a, bare, url } = await setup('publish');
    const first = await renderedCommit(a.root, ['--push'], withToken);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/pushed [0-9a-f]{7} to origin\/rendered/);
    const t1 = tip(a.root)!;
    expect(tip(bare)).toBe(t1);
    expect(tip(a.root, 'refs/remotes/origin/rendered')).toBe(t1);
    expect(JSON.parse(git(bare, 'show', 'rendered:hydrator.metadata')).repoURL).toBe(url);
    expectFsckClean(bare);
    expectFsckClean(a.root);

    const again = await renderedCommit(a.root, ['--push'], withToken);
    expect(again.stdout).toMatch(/nothing to commit[\s\S]*origin\/rendered is up to date/);

    // CI: main only, shallow, no rendered branch anywhere locally.
    const ci = ciClone(bare, url);
    expect(tip(ci)).toBeUndefined();
    await commitTtl(ci, '21');
    const res = await renderedCommit(ci, ['--push'], withToken);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const t2 = tip(bare)!;
    expect(t2).not.toBe(t1);
    expect(tip(ci)).toBe(t2);
    expect(git(bare, 'rev-parse', 'rendered^').trim()).toBe(t1);
    expect(git(bare, 'diff', '--name-only', t1, t2).trim().split('\n').every((p) => p === 'hydrator.metadata' || p.startsWith('dev/catalog-api/'))).toBe(true);
    expectFsckClean(bare);
    expectFsckClean(ci);

    // Back on the first machine, whose local branch is behind: it fast-forwards to the remote and builds on it.
    await commitTtl(a.root, '22');
    const behind = await renderedCommit(a.root, ['--push'], withToken);
    expect(behind.code).toBe(0);
    expect(git(bare, 'rev-parse', 'rendered^').trim()).toBe(t2);
    expect(tip(a.root)).toBe(tip(bare));
    expectFsckClean(a.root);

    for (const out of [first, again, res, behind]) expect(out.stdout + out.stderr).not.toContain(TOKEN);
    // The token only ever travelled in the Authorization header, never in a URL.
    expect(served.server.log.join('\n')).not.toContain(TOKEN);
  });

  it('a push rejected as non-fast-forward changes nothing locally, and running again recovers', async () => {
    const { a, bare, url } = await setup('race');
    expect((await renderedCommit(a.root, ['--push'], withToken)).code).toBe(0);
    const t1 = tip(a.root)!;

    // Another job publishes T2 on top of T1 meanwhile.
    const other = ciClone(bare, url);
    await commitTtl(other, '31');
    expect((await renderedCommit(other, ['--push'], withToken)).code).toBe(0);
    const t2 = tip(bare)!;

    // This machine built its commit on T1 before T2 landed, and pushes it: rejected.
    await commitTtl(a.root, '32');
    const dirs = findRepository(a.root);
    const store = new ObjectStore(dirs.commondir);
    const dry = await readDryCommit(store, git(a.root, 'rev-parse', 'HEAD').trim());
    const sig = { ...DEFAULT_IDENTITY, timestamp: dry.committer.timestamp, offset: 0 };
    const built = await buildRenderedCommit({ store, files: scanDir(join(a.root, 'rendered')), dry, repoURL: url, projectPrefix: '', parent: t1, author: sig, committer: sig });
    const remote = { dirs, store, name: 'origin', url, ref: 'refs/heads/rendered', env: withToken };
    const err = await pushCommit(remote, built.commit!).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toMatch(/rejected: .* not a fast-forward; nothing was lost and the local branch is unchanged/);
    expect(err?.hint).toMatch(/run the same command again: it fetches the new tip/);
    expect(tip(bare)).toBe(t2);
    expect(tip(a.root)).toBe(t1);

    // The same rejection when the remote moves between the ref advertisement and the push (a server-side refusal).
    const bareMain = git(bare, 'rev-parse', 'main').trim();
    served.server.beforeReceivePack = () => git(bare, 'update-ref', 'refs/heads/rendered', t1, t2);
    try {
      git(a.root, 'fetch', '-q', `file://${bare}`, 'refs/heads/rendered'); // T2's objects, to build on (no local ref moves)
      const t3 = await buildRenderedCommit({ store, files: scanDir(join(a.root, 'rendered')), dry, repoURL: url, projectPrefix: '', parent: t2, author: sig, committer: sig });
      const posts = served.server.log.filter((l) => l.startsWith('POST') && l.includes('git-receive-pack')).length;
      const raced = await pushCommit(remote, t3.commit!).then(() => undefined, (e: Error) => e);
      expect(served.server.log.filter((l) => l.startsWith('POST') && l.includes('git-receive-pack')).length).toBe(posts + 1); // refused by the server, not before
      expect(raced?.message).toMatch(/rejected: .* not a fast-forward/);
    } finally {
      served.server.beforeReceivePack = undefined;
      git(bare, 'update-ref', 'refs/heads/rendered', t2);
    }
    expect(bareMain).toBe(git(bare, 'rev-parse', 'main').trim());

    // Recovery: run the command again; it fetches T2 and builds on it.
    const res = await renderedCommit(a.root, ['--push'], withToken);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(git(bare, 'rev-parse', 'rendered^').trim()).toBe(t2);
    expect(tip(a.root)).toBe(tip(bare));
    expectFsckClean(bare);
    expectFsckClean(a.root);
  });

  it('without a token, or with a wrong one, fails clearly and never prints it', async () => {
    const { a, bare } = await setup('auth');
    const none = await renderedCommit(a.root, ['--push']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('GITOPS_BRIDGE_GIT_TOKEN');
    const wrong = await renderedCommit(a.root, ['--push'], { GITOPS_BRIDGE_GIT_TOKEN: 'wrong-token-123' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the token in GITOPS_BRIDGE_GIT_TOKEN/);
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-token-123');
    expect(tip(bare)).toBeUndefined();
    expect(tip(a.root)).toBeUndefined();
    const unknown = await renderedCommit(a.root, ['--push', 'upstream'], withToken);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no remote named "upstream"');
  });
});
