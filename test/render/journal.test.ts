/** rendered/ changed through a journal: all or nothing, and a killed run finished by the next. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareFiles as diffHashes } from '../../generators/engine/changes.js';
import { pendingJournal, recoverRendered, writeRendered } from '../../generators/workspace/rendered-writer.js';
import { FileIndex } from '../../generators/workspace/file-index.js';
import { blobId } from '../../generators/core/hash.js';
import { diffRendered, readRendered, renderResult } from '../helpers.js';

/** The index as the cache directory keeps it: written to `file` at `now`, and read back. */
const saveIndex = (index: FileIndex, file: string, now: number) => writeFileSync(file, JSON.stringify(index.toJSON(now)));
const loadIndex = (file: string) => FileIndex.from(JSON.parse(readFileSync(file, 'utf8')));

let parent: string;
let dir: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'gitops-bridge-journal-'));
  dir = join(parent, 'rendered');
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

const render = (files: Record<string, string>) => writeRendered(dir, diffRendered(readRendered(dir), renderResult(files)));

describe('writeRendered', () => {
  it('changes only what changed, removes what went (and the directories it empties), and leaves nothing beside', () => {
    render({ 'dev/a/x.yaml': 'x\n', 'dev/a/y.yaml': 'y\n', 'dev/b/z.yaml': 'z\n' });
    render({ 'dev/a/x.yaml': 'x2\n', 'dev/a/y.yaml': 'y\n', 'dev/c/w.yaml': 'w\n' });
    expect(readRendered(dir)).toEqual(new Map([['dev/a/x.yaml', 'x2\n'], ['dev/a/y.yaml', 'y\n'], ['dev/c/w.yaml', 'w\n']]));
    expect(existsSync(join(dir, 'dev/b'))).toBe(false);
    expect(readdirSync(parent)).toEqual(['.cache', 'rendered']);
    // The journal lived in the git-ignored work directory and is gone.
    expect(readdirSync(join(parent, '.cache/gitops-bridge'))).toEqual(['.gitignore']);
  });

  it('finishes a run killed while applying its journal, and drops one killed before its plan was written', () => {
    render({ 'dev/a/x.yaml': 'old\n', 'dev/a/gone.yaml': 'gone\n' });
    // Killed mid-way: the plan written, x already moved in, gone not yet deleted, y still in the journal.
    const journal = join(parent, '.cache/gitops-bridge/journal-999999');
    mkdirSync(join(journal, 'files/dev/a'), { recursive: true });
    writeFileSync(join(journal, 'files/dev/a/y.yaml'), 'y\n');
    writeFileSync(join(dir, 'dev/a/x.yaml'), 'new\n');
    writeFileSync(join(journal, 'plan.json'), JSON.stringify({ write: ['dev/a/x.yaml', 'dev/a/y.yaml'], remove: ['dev/a/gone.yaml'] }));
    expect(pendingJournal(dir)).toBe(journal);
    recoverRendered(dir);
    expect(pendingJournal(dir)).toBeUndefined();
    expect(readRendered(dir)).toEqual(new Map([['dev/a/x.yaml', 'new\n'], ['dev/a/y.yaml', 'y\n']]));
    expect(existsSync(journal)).toBe(false);

    const partial = join(parent, 'rendered.journal-999998');
    mkdirSync(join(partial, 'files/dev/a'), { recursive: true });
    writeFileSync(join(partial, 'files/dev/a/x.yaml'), 'half');
    recoverRendered(dir);
    expect(existsSync(partial)).toBe(false);
    expect(readRendered(dir).get('dev/a/x.yaml')).toBe('new\n');
  });

  it('finishes an older version\'s journal beside rendered/, and removes stale temporary files and staged trees', () => {
    render({ 'dev/a/x.yaml': 'old\n' });
    const legacy = join(parent, 'rendered.journal-999997');
    mkdirSync(join(legacy, 'files/dev/a'), { recursive: true });
    writeFileSync(join(legacy, 'files/dev/a/x.yaml'), 'new\n');
    writeFileSync(join(legacy, 'plan.json'), JSON.stringify({ write: ['dev/a/x.yaml'], remove: [] }));
    const work = join(parent, '.cache/gitops-bridge');
    writeFileSync(join(work, 'rendered.json.tmp-999996'), '{');
    mkdirSync(join(work, 'stage-999995/dev'), { recursive: true });
    recoverRendered(dir);
    expect(readRendered(dir).get('dev/a/x.yaml')).toBe('new\n');
    expect(readdirSync(parent)).toEqual(['.cache', 'rendered']);
    expect(readdirSync(work)).toEqual(['.gitignore']);
  });

  it('stops with an error naming a journal it cannot finish', () => {
    render({ 'dev/a/x.yaml': 'old\n' });
    const journal = join(parent, '.cache/gitops-bridge/journal-999994');
    mkdirSync(journal, { recursive: true });
    writeFileSync(join(journal, 'plan.json'), JSON.stringify({ write: ['../escape.yaml'], remove: [] }));
    expect(() => recoverRendered(dir)).toThrow(/interrupted write of rendered\/ could not be finished/);
  });

  it('leaves alone the journal of a run still going', () => {
    render({ 'dev/a/x.yaml': 'x\n' });
    const journal = join(parent, `.cache/gitops-bridge/journal-${process.ppid}`);
    mkdirSync(journal, { recursive: true });
    recoverRendered(dir);
    expect(existsSync(journal)).toBe(true);
  });
});

describe('FileIndex', () => {
  it('vouches for files whose stat is as recorded, hashes the others, and replaces what is not a file', () => {
    render({ 'dev/a/x.yaml': 'x\n', 'dev/a/y.yaml': 'y\n' });
    const state = FileIndex.empty();
    state.record(dir, 'dev/a/x.yaml', blobId('x\n'));
    state.record(dir, 'dev/a/y.yaml', blobId('y\n'));
    const manifest = join(parent, 'manifest.json');
    // Saved a while after the files were written: their stats can be trusted.
    saveIndex(state, manifest, Date.now() + 1000);
    writeFileSync(join(dir, 'dev/a/y.yaml'), 'Y\n');
    symlinkSync('/etc/hostname', join(dir, 'dev/a/link.yaml'));
    const files = loadIndex(manifest).scan(dir);
    expect(files.get('dev/a/x.yaml')!.known).toBe(true);
    expect(files.get('dev/a/y.yaml')!.known).toBe(false);
    expect(files.get('dev/a/y.yaml')!.hash()).toBe(blobId('Y\n'));
    const changes = diffHashes(files, new Map([['dev/a/x.yaml', blobId('x\n')], ['dev/a/y.yaml', blobId('y\n')]]), new Map([['dev/a/y.yaml', 'y\n']]), renderResult({ 'dev/a/x.yaml': '', 'dev/a/y.yaml': '' }));
    expect(changes).toMatchObject({ added: [], changed: ['dev/a/y.yaml'], removed: ['dev/a/link.yaml'], unchanged: 1 });
    writeRendered(dir, changes);
    expect(readRendered(dir)).toEqual(new Map([['dev/a/x.yaml', 'x\n'], ['dev/a/y.yaml', 'y\n']]));
    expect(readdirSync(join(dir, 'dev/a')).sort()).toEqual(['x.yaml', 'y.yaml']);
  });

  it('trusts no stat taken just before the manifest was saved (it could change unseen in the same tick)', () => {
    render({ 'dev/a/x.yaml': 'x\n' });
    const state = FileIndex.empty();
    state.record(dir, 'dev/a/x.yaml', blobId('x\n'));
    const manifest = join(parent, 'manifest.json');
    saveIndex(state, manifest, Date.now());
    expect(loadIndex(manifest).scan(dir).get('dev/a/x.yaml')!.known).toBe(false);
  });
});
