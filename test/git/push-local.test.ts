/**
 * `rendered-commit --push` to remotes isomorphic-git does not speak: a local path or file:// URL
 * works (objects copied, the branch moved fast-forward only), SSH and git:// are refused before
 * any network attempt with what to use instead.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BridgeError } from '../../generators/core/errors.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { pushCommit } from '../../generators/git/push.js';
import { findRepository } from '../../generators/git/repo.js';
import { transportOf } from '../../generators/git/transport.js';
import { scratchDir } from '../scratch.js';
import { expectFsckClean, git, gitResult, commitTtl, renderedCommit, repoPerTest, tip } from './git-helpers.js';

const newRepo = repoPerTest();


describe('rendered-commit --push to a local repository', () => {
  it('pushes to a bare repository by path, then a file:// clone continues its history; a commit on a stale tip is rejected', async () => {
    const a = await newRepo();
    const dir = scratchDir('gitops-bridge-local-remote-');
    try {
      const bare = join(dir, 'fleet.git');
      git(dir, 'clone', '-q', '--bare', a.root, bare);
      git(a.root, 'remote', 'add', 'origin', bare);
      const first = await renderedCommit(a.root, ['--push']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/pushed [0-9a-f]{7} to origin\/rendered/);
      const t1 = tip(a.root)!;
      expect(tip(bare)).toBe(t1);
      expect(tip(a.root, 'refs/remotes/origin/rendered')).toBe(t1);
      expectFsckClean(bare);

      // A shallow clone of main, with the remote as a file:// URL: it fetches the tip and builds on it.
      const ci = join(dir, 'ci');
      git(tmpdir(), 'clone', '-q', '--single-branch', '--branch', 'main', '--depth', '1', `file://${bare}`, ci);
      await commitTtl(ci, '41');
      const second = await renderedCommit(ci, ['--push']);
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      const t2 = tip(bare)!;
      expect(git(bare, 'rev-parse', 'rendered^').trim()).toBe(t1);
      expect(tip(ci)).toBe(t2);
      expectFsckClean(bare);

      // The first machine's local branch is behind the remote: it continues the remote's history.
      await commitTtl(a.root, '42');
      const third = await renderedCommit(a.root, ['--push']);
      expect(third.code, third.stderr).toBe(0);
      expect(git(bare, 'rev-parse', 'rendered^').trim()).toBe(t2);
      expectFsckClean(bare);
      expectFsckClean(a.root);

      // A commit built on a tip the remote has left behind is rejected as not a fast-forward; nothing moves.
      const t3 = tip(bare)!;
      const stale = git(a.root, 'commit-tree', '-m', 'built on an old tip', `${t1}^{tree}`, '-p', t1).trim();
      const dirs = findRepository(a.root);
      const remote = { dirs, store: new ObjectStore(dirs.commondir), name: 'origin', url: bare, ref: 'refs/heads/rendered', env: {} };
      const err = await pushCommit(remote, stale).then(() => undefined, (e: BridgeError) => e);
      expect(err?.code).toBe('git-push-rejected');
      expect(err?.message).toMatch(/rejected: .* not a fast-forward; nothing was lost/);
      expect(tip(bare)).toBe(t3);
      expect(gitResult(bare, 'cat-file', '-e', stale).code).not.toBe(0); // nothing copied before the check
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a path that is not a repository, and a clone with rendered checked out', async () => {
    const a = await newRepo();
    const dir = scratchDir('gitops-bridge-local-remote-');
    try {
      git(a.root, 'remote', 'add', 'nowhere', join(dir, 'missing.git'));
      const r = await renderedCommit(a.root, ['--push', 'nowhere']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the local path ${join(dir, 'missing.git')} is not a git repository`);
      expect(tip(a.root)).toBeUndefined();

      const clone = join(dir, 'clone');
      git(dir, 'clone', '-q', a.root, clone);
      git(clone, 'checkout', '-q', '-b', 'rendered');
      git(a.root, 'remote', 'add', 'checkedout', clone);
      const c = await renderedCommit(a.root, ['--push', 'checkedout']);
      expect(c.code).toBe(1);
      expect(c.stderr).toMatch(/is a clone with rendered checked out/);
      expect(c.stderr).toContain('git clone --bare');
      expect(tip(clone)).toBe(git(clone, 'rev-parse', 'main').trim());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rendered-commit --push over SSH or git://', () => {
  it('refuses before any network attempt, saying what to use instead', async () => {
    const a = await newRepo();
    const cases: [string, string, RegExp][] = [
      ['scp', 'git@github.invalid:acme/fleet.git', /git remote set-url scp https:\/\/github\.invalid\/acme\/fleet\.git/],
      ['ssh', 'ssh://git@github.invalid:2222/acme/fleet.git', /https:\/\/github\.invalid\/acme\/fleet\.git/],
      ['gitproto', 'git://github.invalid/acme/fleet.git', /https:\/\/github\.invalid\/acme\/fleet\.git/],
    ];
    for (const [name, url, example] of cases) {
      git(a.root, 'remote', 'add', name, url);
      const started = Date.now();
      const r = await renderedCommit(a.root, ['--push', name]);
      expect(r.code, name).toBe(1);
      expect(r.stderr).toMatch(/protocol is not supported; rendered-commit --push speaks HTTP\(S\) only \(and to local paths\), so nothing was sent/);
      expect(r.stderr).toContain('GITOPS_BRIDGE_GIT_TOKEN');
      expect(r.stderr).toContain(`git push ${name} rendered`);
      expect(r.stderr).toMatch(example);
      expect(r.stderr).not.toContain('internal error');
      expect(Date.now() - started).toBeLessThan(5000); // no connection attempt to a host that does not exist
      expect(tip(a.root)).toBeUndefined();
    }
  });

  it('tells the transports apart as git does', () => {
    expect(transportOf('https://h/r.git', '/w')).toEqual({ kind: 'http' });
    expect(transportOf('git@h:r.git', '/w')).toEqual({ kind: 'unsupported', protocol: 'ssh' });
    expect(transportOf('h:r.git', '/w')).toEqual({ kind: 'unsupported', protocol: 'ssh' });
    expect(transportOf('ssh://h/r.git', '/w')).toEqual({ kind: 'unsupported', protocol: 'ssh' });
    expect(transportOf('../r.git', '/w/x')).toEqual({ kind: 'local', path: '/w/r.git' });
    expect(transportOf('./a:b', '/w')).toEqual({ kind: 'local', path: '/w/a:b' });
    expect(transportOf('file:///srv/r.git', '/w')).toEqual({ kind: 'local', path: '/srv/r.git' });
  });
});
