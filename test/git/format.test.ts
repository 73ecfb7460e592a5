/** The pure pieces of generators/git, checked against the real git CLI where git has an answer. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGitDate, parseIdent, identities, DEFAULT_IDENTITY } from '../../generators/git/identity.js';
import { decodeCommit, decodeTree, encodeCommit, encodeTree, hashObject, type TreeEntry } from '../../generators/git/object-format.js';
import { ObjectStore } from '../../generators/git/object-store.js';
import { PackIndex } from '../../generators/git/pack-index.js';
import { appDirsOf, commitMessage, rfc3339, splitMessage, type DryCommit } from '../../generators/git/provenance.js';
import { withoutCredentials } from '../../generators/git/repo.js';
import { hashDir, nestFiles } from '../../generators/git/tree.js';
import { git } from './git-helpers.js';
import { scratchDir } from '../scratch.js';

const dirs: string[] = [];
function tempRepo(): string {
  const dir = scratchDir('gitops-bridge-git-');
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('object format', () => {
  it('hashes blobs as git hash-object does', () => {
    const repo = tempRepo();
    for (const text of ['', 'hello\n', 'ünïcödé\r\n', 'x'.repeat(100_000)]) {
      writeFileSync(join(repo, 'f'), text);
      expect(hashObject('blob', Buffer.from(text))).toBe(git(repo, 'hash-object', 'f').trim());
    }
  });

  it('orders and encodes trees as git mktree does (a directory sorts as "name/")', () => {
    const repo = tempRepo();
    const blob = git(repo, 'hash-object', '-w', '--stdin').trim();
    const sub = execFileSync('git', ['mktree'], { cwd: repo, input: `100644 blob ${blob}\tx\n`, encoding: 'utf8' }).trim();
    const entries: TreeEntry[] = [
      { name: 'a0', mode: '100644', oid: blob },
      { name: 'a', mode: '40000', oid: sub },
      { name: 'a.b', mode: '100644', oid: blob },
      { name: 'a-b', mode: '40000', oid: sub },
      { name: 'B', mode: '100755', oid: blob },
      { name: 'é', mode: '100644', oid: blob },
    ];
    const input = entries.map((e) => `${e.mode === '40000' ? '040000 tree' : `${e.mode} blob`} ${e.oid}\t${e.name}`).join('\n') + '\n';
    const expected = execFileSync('git', ['mktree'], { cwd: repo, input, encoding: 'utf8' }).trim();
    expect(hashObject('tree', encodeTree(entries))).toBe(expected);
    expect(decodeTree(encodeTree(entries)).map((e) => e.name)).toEqual(['B', 'a-b', 'a.b', 'a', 'a0', 'é']);
  });

  it('orders and encodes large ASCII trees as git mktree does, and hashes objects of every size as git does', () => {
    const repo = tempRepo();
    const blob = git(repo, 'hash-object', '-w', '--stdin').trim();
    const sub = execFileSync('git', ['mktree'], { cwd: repo, input: `100644 blob ${blob}\tx\n`, encoding: 'utf8' }).trim();
    // Names that sort differently as files and as directories ("a-b" < "a.b" < "a/" < "a0"), upper case first, > 16 entries.
    const names = ['a', 'a-b', 'a.b', 'a0', 'B', 'README.md', 'hydrator.metadata', 'z', '_x', '~y', 'svc-0001', 'svc-0001.yaml', 'svc-0001-config', 'Zed', '0', '9lives', 'x.y.z'];
    const entries: TreeEntry[] = names.flatMap((name, i) => [
      i % 2 ? { name, mode: '40000' as const, oid: sub } : { name, mode: (i % 3 ? '100644' : '100755') as TreeEntry['mode'], oid: blob },
      { name: `${name}.txt`, mode: '100644' as const, oid: blob },
    ]);
    for (const shuffled of [entries, [...entries].reverse(), entries.slice(0, 7).reverse()]) {
      const input = shuffled.map((e) => `${e.mode === '40000' ? '040000 tree' : `${e.mode} blob`} ${e.oid}\t${e.name}`).join('\n') + '\n';
      expect(hashObject('tree', encodeTree(shuffled))).toBe(execFileSync('git', ['mktree'], { cwd: repo, input, encoding: 'utf8' }).trim());
    }
    expect(() => encodeTree([{ name: 'a', mode: '100644', oid: 'g'.repeat(40) }])).toThrow(/invalid object id/);
    expect(() => encodeTree([{ name: 'a', mode: '100644', oid: blob.slice(1) }])).toThrow(/invalid object id/);
    for (const size of [65_503, 65_504, 65_505, 1 << 20]) {
      writeFileSync(join(repo, 'f'), Buffer.alloc(size, 'y'));
      expect(hashObject('blob', Buffer.alloc(size, 'y'))).toBe(git(repo, 'hash-object', 'f').trim());
    }
  });

  it('refuses tree entries git would not accept', () => {
    expect(() => encodeTree([{ name: 'a/b', mode: '100644', oid: '0'.repeat(40) }])).toThrow(/invalid/);
    expect(() => encodeTree([{ name: '.git', mode: '40000', oid: '0'.repeat(40) }])).toThrow(/invalid/);
    expect(() => encodeTree([{ name: 'a', mode: '100644', oid: '0'.repeat(40) }, { name: 'a', mode: '100644', oid: '1'.repeat(40) }])).toThrow(/duplicate/);
  });

  it('encodes commits byte for byte as git commit-tree does', () => {
    const repo = tempRepo();
    const tree = git(repo, 'write-tree').trim();
    const parent = git(repo, 'commit-tree', tree, '-m', 'root').trim();
    const oid = execFileSync('git', ['commit-tree', tree, '-p', parent, '-F', '-'], {
      cwd: repo,
      input: 'subject line\n\nbody\n',
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'A U Thor', GIT_AUTHOR_EMAIL: 'a@x.org', GIT_AUTHOR_DATE: '@1700000000 -0330', GIT_COMMITTER_NAME: 'C O Mitter', GIT_COMMITTER_EMAIL: 'c@x.org', GIT_COMMITTER_DATE: '@1700000100 +0545' },
    }).trim();
    const raw = execFileSync('git', ['cat-file', 'commit', oid], { cwd: repo });
    const c = decodeCommit(raw);
    expect(c.author).toEqual({ name: 'A U Thor', email: 'a@x.org', timestamp: 1700000000, offset: -210 });
    expect(c.committer.offset).toBe(345);
    expect(c.parents).toEqual([parent]);
    expect(hashObject('commit', encodeCommit(c))).toBe(oid);
  });

  it('hashes nested directories like git write-tree', () => {
    const repo = tempRepo();
    const files = new Map<string, string>([['a/b/c.yaml', 'c\n'], ['a/d.yaml', 'd\n'], ['e.yaml', 'e\n'], ['a.x/f', 'f\n']]);
    for (const [p, text] of files) {
      mkdirSync(join(repo, p, '..'), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    git(repo, 'add', '-A');
    const expected = git(repo, 'write-tree').trim();
    const root = nestFiles([...files].map(([p, t]) => [p, { oid: hashObject('blob', Buffer.from(t)), mode: '100644' as const }]));
    expect(hashDir(root).oid).toBe(expected);
  });
});

describe('object store', () => {
  it('writes loose objects git reads, and skips objects that exist, loose or packed', async () => {
    const repo = tempRepo();
    const store = new ObjectStore(join(repo, '.git'));
    const oid = store.write('blob', Buffer.from('hello\n'));
    expect(git(repo, 'cat-file', '-p', oid)).toBe('hello\n');
    expect(store.write('blob', Buffer.from('hello\n'))).toBe(oid);
    expect(store.stats).toEqual({ written: 1, present: 1 });
    expect((await store.read(oid)).content.toString()).toBe('hello\n');

    // Pack everything; a fresh store finds the objects in the pack and reads them through it.
    writeFileSync(join(repo, 'f'), 'packed\n');
    git(repo, 'add', 'f');
    git(repo, 'commit', '-q', '-m', 'c');
    git(repo, 'gc', '-q', '--prune=now');
    const packed = new ObjectStore(join(repo, '.git'));
    const blob = hashObject('blob', Buffer.from('packed\n'));
    expect(packed.has(blob)).toBe(true);
    expect(packed.has(oid)).toBe(false); // the dangling blob was pruned
    expect(packed.write('blob', Buffer.from('packed\n'))).toBe(blob);
    expect(packed.stats.written).toBe(0);
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const commit = await packed.readCommit(head);
    expect((await packed.readTree(commit.tree)).map((e) => e.name)).toEqual(['f']);
  });

  it.each([
    ['OFS_DELTA', 'true'],
    ['REF_DELTA', 'false'],
  ])('reads every object of a pack with %s deltas as git cat-file does', async (_kind, offsets) => {
    const repo = tempRepo();
    // Many versions of similar files, so the pack is full of deltas.
    for (let v = 0; v < 8; v++) {
      for (let i = 0; i < 12; i++) writeFileSync(join(repo, `f${i}.yaml`), Array.from({ length: 60 }, (_, k) => `key${k}: value-${i}-${k}-${k === v ? 'changed' : 'same'}`).join('\n') + '\n');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '-m', `v${v}`);
    }
    git(repo, '-c', `repack.useDeltaBaseOffset=${offsets}`, '-c', `pack.useDeltaBaseOffset=${offsets}`, 'repack', '-q', '-a', '-d', '-f');
    const packDir = join(repo, '.git/objects/pack');
    const pack = readdirSync(packDir).find((n) => n.endsWith('.pack'))!;
    const verify = git(repo, 'verify-pack', '-v', join(packDir, pack));
    expect(verify).toMatch(/chain length = [1-9]/); // deltas are really there
    const store = new ObjectStore(join(repo, '.git'));
    const all = git(repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)').trim().split('\n');
    expect(all.length).toBeGreaterThan(100);
    for (const line of all) {
      const [oid, type] = line.split(' ') as [string, string];
      const r = await store.read(oid);
      expect(r.type).toBe(type);
      expect(hashObject(r.type, r.content)).toBe(oid);
    }
  });

  it('finds every object of a pack index, and nothing else', () => {
    const repo = tempRepo();
    for (let i = 0; i < 50; i++) writeFileSync(join(repo, `f${i}`), `content ${i}\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'c');
    git(repo, 'gc', '-q');
    const packDir = join(repo, '.git/objects/pack');
    const idx = readdirSync(packDir).filter((n) => n.endsWith('.idx'));
    expect(idx).toHaveLength(1);
    const index = PackIndex.read(join(packDir, idx[0]!));
    const all = git(repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)').trim().split('\n');
    expect(all.length).toBeGreaterThan(50);
    for (const oid of all) expect(index.has(oid)).toBe(true);
    for (const oid of all.slice(0, 10)) expect(index.has(oid.slice(0, 39) + (oid[39] === '0' ? '1' : '0'))).toBe(false);
    expect(index.has('0'.repeat(40))).toBe(false);
    expect(index.has('f'.repeat(40))).toBe(false);
  });
});

describe('provenance', () => {
  const dry: DryCommit = {
    sha: 'abcdef0123456789abcdef0123456789abcdef01',
    tree: '0'.repeat(40),
    author: { name: 'Ann', email: 'ann@example.com', timestamp: 1714550400, offset: 120 },
    committer: { name: 'Ann', email: 'ann@example.com', timestamp: 1714550400, offset: 120 },
    subject: 'Scale orders',
    body: '',
    message: 'Scale orders\n',
  };

  it('finds app directories one level below environments, never in argocd/', () => {
    expect(appDirsOf(['dev/a/x.yaml', 'dev/a/y.yaml', 'prod/b/c/d.yaml', 'argocd/x/y.yaml', 'argocd/z.yaml', 'top.yaml', 'dev/file.yaml'])).toEqual(['dev/a', 'prod/b']);
  });

  it('splits messages as git %s and %b do', () => {
    expect(splitMessage('Subject\n\nBody line\n\nTrailer: x\n')).toEqual({ subject: 'Subject', body: 'Body line\n\nTrailer: x' });
    expect(splitMessage('Two line\nsubject\n')).toEqual({ subject: 'Two line subject', body: '' });
    expect(splitMessage('\n\nS\r\n\r\nB\r\n')).toEqual({ subject: 'S', body: 'B' });
  });

  it('writes the subject with the short dry sha and a Co-authored-by trailer', () => {
    expect(commitMessage(dry)).toBe('abcdef0: Scale orders\n\nCo-authored-by: Ann <ann@example.com>\n');
    expect(commitMessage({ ...dry, body: 'Why.' })).toBe('abcdef0: Scale orders\n\nWhy.\n\nCo-authored-by: Ann <ann@example.com>\n');
    expect(commitMessage({ ...dry, body: 'Why.\n\nSigned-off-by: Ann <ann@example.com>' })).toBe(
      'abcdef0: Scale orders\n\nWhy.\n\nSigned-off-by: Ann <ann@example.com>\nCo-authored-by: Ann <ann@example.com>\n',
    );
    expect(commitMessage({ ...dry, body: 'Co-authored-by: Ann <ann@example.com>' })).toBe('abcdef0: Scale orders\n\nCo-authored-by: Ann <ann@example.com>\n');
  });

  it('prints dates in RFC 3339 in their own offset', () => {
    expect(rfc3339({ ...dry.author, offset: 0 })).toBe('2024-05-01T08:00:00Z');
    expect(rfc3339(dry.author)).toBe('2024-05-01T10:00:00+02:00');
    expect(rfc3339({ ...dry.author, offset: -210 })).toBe('2024-05-01T04:30:00-03:30');
  });

  it('removes credentials from repository URLs', () => {
    expect(withoutCredentials('https://x-access-token:ghp_secret@github.com/acme/fleet.git')).toBe('https://github.com/acme/fleet.git');
    expect(withoutCredentials('https://token@github.com/acme/fleet.git')).toBe('https://github.com/acme/fleet.git');
    expect(withoutCredentials('git@github.com:acme/fleet.git')).toBe('git@github.com:acme/fleet.git');
    expect(withoutCredentials('ssh://git@github.com/acme/fleet.git')).toBe('ssh://github.com/acme/fleet.git');
  });
});

describe('identity', () => {
  const when = { timestamp: 1714550400, offset: 120 };
  it('takes --author, else GIT_AUTHOR_*, else the bot; the committer defaults to the author', () => {
    expect(identities({}, {}, when).author).toEqual({ ...DEFAULT_IDENTITY, ...when });
    const env = { GIT_AUTHOR_NAME: 'CI', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
    const r = identities({}, env, when);
    expect([r.author.name, r.author.email, r.committer.name, r.committer.email]).toEqual(['CI', 'ci@example.com', 'Bot', 'bot@example.com']);
    const o = identities({ author: 'Rel Eng <rel@example.com>' }, {}, when);
    expect([o.author.name, o.committer.email]).toEqual(['Rel Eng', 'rel@example.com']);
    expect(() => parseIdent('no email', '--author')).toThrow(/Name <email>/);
  });

  it('parses the date formats git takes in GIT_*_DATE', () => {
    expect(parseGitDate('@1714550400 +0200', 'X')).toEqual(when);
    expect(parseGitDate('1714550400 +0200', 'X')).toEqual(when);
    expect(parseGitDate('2024-05-01T10:00:00+02:00', 'X')).toEqual(when);
    expect(parseGitDate('2024-05-01T08:00:00Z', 'X')).toEqual({ timestamp: 1714550400, offset: 0 });
    expect(() => parseGitDate('yesterday', 'X')).toThrow(/not a date/);
  });
});
