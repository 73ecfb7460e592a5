import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeRendered } from '../../generators/workspace/rendered-writer.js';
import { toYaml } from '../../generators/engine/yaml.js';
import { diffRendered, readRendered, renderResult } from '../helpers.js';
import { scratchDir } from '../scratch.js';

let dir: string;
let parent: string;
beforeEach(() => {
  parent = scratchDir('gitops-bridge-writer-');
  dir = join(parent, 'rendered');
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));


describe('writeRendered', () => {
  it('writes, rewrites only what changed, prunes the rest, and leaves no temporary directories', () => {
    writeRendered(dir, diffRendered(readRendered(dir), renderResult({ 'dev/a/x.yaml': 'x: 1\n', 'dev/a/y.yaml': 'y: 1\n' })));
    expect(readRendered(dir)).toEqual(new Map([['dev/a/x.yaml', 'x: 1\n'], ['dev/a/y.yaml', 'y: 1\n']]));
    const changes = diffRendered(readRendered(dir), renderResult({ 'dev/a/x.yaml': 'x: 2\n', 'dev/b/z.yaml': 'z: 1\n' }));
    expect(changes.changed).toEqual(['dev/a/x.yaml']);
    expect(changes.added).toEqual(['dev/b/z.yaml']);
    expect(changes.removed).toEqual(['dev/a/y.yaml']);
    writeRendered(dir, changes);
    expect(readRendered(dir)).toEqual(new Map([['dev/a/x.yaml', 'x: 2\n'], ['dev/b/z.yaml', 'z: 1\n']]));
    expect(existsSync(join(parent, `rendered.tmp-${process.pid}`))).toBe(false);
    expect(existsSync(join(parent, `rendered.old-${process.pid}`))).toBe(false);
  });

  it('finishes a swap that was killed between its two renames', () => {
    writeRendered(dir, diffRendered(readRendered(dir), renderResult({ 'dev/a/x.yaml': 'old\n' })));
    // what a kill between the renames leaves: rendered.old-N (previous) and a complete rendered.tmp-N
    renameSync(dir, join(parent, 'rendered.old-999'));
    mkdirSync(join(parent, 'rendered.tmp-999/dev/a'), { recursive: true });
    writeFileSync(join(parent, 'rendered.tmp-999/dev/a/x.yaml'), 'new\n');
    expect(readRendered(dir).get('dev/a/x.yaml')).toBe('new\n');
    expect(existsSync(join(parent, 'rendered.old-999'))).toBe(false);
  });

  it('drops a partial build left by a run killed while building', () => {
    writeRendered(dir, diffRendered(readRendered(dir), renderResult({ 'dev/a/x.yaml': 'keep\n' })));
    mkdirSync(join(parent, 'rendered.tmp-999/dev/a'), { recursive: true });
    writeFileSync(join(parent, 'rendered.tmp-999/dev/a/x.yaml'), 'half');
    expect(readRendered(dir).get('dev/a/x.yaml')).toBe('keep\n');
    expect(existsSync(join(parent, 'rendered.tmp-999'))).toBe(false);
  });
});

describe('toYaml', () => {
  it('puts apiVersion, kind, metadata first, sorts the rest by code unit, and quotes YAML 1.1 booleans', () => {
    const text = toYaml({ spec: { b: 1, a: 'yes', Z: 'on' }, metadata: { name: 'x' }, kind: 'K', apiVersion: 'v1' });
    expect(text).toBe("apiVersion: v1\nkind: K\nmetadata:\n  name: x\nspec:\n  Z: 'on'\n  a: 'yes'\n  b: 1\n");
  });

  it('never folds long lines or emits anchors', () => {
    const shared = { k: 'v' };
    const long = 'x'.repeat(300);
    const text = toYaml({ a: shared, b: shared, long });
    expect(text).not.toContain('&');
    expect(text).toContain(long);
  });
});
