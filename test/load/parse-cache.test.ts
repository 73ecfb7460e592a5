/**
 * The parse cache (load/parse-cache.ts): same data and same errors as parsing afresh, fresh
 * objects every time, nothing kept that JSON cannot carry, and only what this run used.
 */
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { ParseCache } from '../../generators/load/parse-cache.js';
import { parseYaml } from '../../generators/load/yaml.js';

const TEXT = 'apiVersion: gitops-bridge.dev/v1\nkind: App\nmetadata:\n  name: shop\nspec:\n  replicas: 2\n  env:\n    - name: A\n      value: "1"\n';

/** A cache as the next run reads it: through JSON, as .cache/gitops-bridge/parsed.json holds it. */
const nextRun = (cache: ParseCache) => new ParseCache(JSON.parse(JSON.stringify(cache.toJSON())));

describe('ParseCache', () => {
  it('gives what parseYaml gives, from the cache on the next run, with lines found on demand', () => {
    const first = new ParseCache();
    const a = first.parse(TEXT, 'manifests/apps/shop/app.yaml');
    expect(a.data).toEqual(parseYaml(TEXT, 'x').data);
    expect(a.passed('app')).toBe(false);
    a.pass('app');

    const second = nextRun(first);
    const b = second.parse(TEXT, 'manifests/apps/shop/app.yaml');
    expect(b.data).toEqual(a.data);
    expect(b.passed('app')).toBe(true);
    expect(b.passed('app-overlay')).toBe(false);
    expect(b.lineOf('/spec/env/0/value')).toBe(9);
    expect(b.lineOf('/spec/replicas')).toBe(parseYaml(TEXT, 'x').lineOf('/spec/replicas'));
    expect(b.file).toBe('manifests/apps/shop/app.yaml');
  });

  it('hands out fresh objects: changing one parse changes no other', () => {
    const first = new ParseCache();
    first.parse(TEXT, 'f');
    const cache = nextRun(first);
    const a = cache.parse(TEXT, 'f').data as { spec: { replicas: number } };
    a.spec.replicas = 99;
    expect((cache.parse(TEXT, 'f').data as { spec: { replicas: number } }).spec.replicas).toBe(2);
  });

  it('keeps no value JSON cannot carry (.inf, .nan, -0.0): those texts are parsed every time', () => {
    for (const text of ['a: .inf\n', 'a: .nan\n', 'a: -0.0\n']) {
      const cache = new ParseCache();
      cache.parse(text, 'f');
      expect(cache.toJSON()).toEqual({});
    }
  });

  it('keeps no failure: a bad text throws the same error from a warm cache', () => {
    const cache = new ParseCache();
    cache.parse(TEXT, 'f');
    const bad = 'a: [1\n';
    let error: unknown;
    try {
      nextRun(cache).parse(bad, 'f.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BridgeError);
    expect(() => parseYaml(bad, 'f.yaml')).toThrow((error as Error).message);
  });

  it('keeps only the texts parsed in the last run, and says when it changed', () => {
    const cache = new ParseCache();
    cache.parse(TEXT, 'a');
    cache.parse('b: 1\n', 'b');
    expect(cache.dirty).toBe(true);
    const next = nextRun(cache);
    next.parse(TEXT, 'a');
    expect(next.dirty).toBe(true); // b's entry is to be dropped
    const third = nextRun(next);
    expect(Object.keys(third.toJSON())).toHaveLength(0); // nothing parsed yet in this run
    third.parse(TEXT, 'a');
    expect(third.dirty).toBe(false);
    expect(Object.keys(third.toJSON())).toHaveLength(1);
  });

  it('ignores malformed entries', () => {
    const cache = new ParseCache({ x: [] as unknown as [string], y: [1] as unknown as [string] });
    expect(cache.toJSON()).toEqual({});
    expect(cache.parse(TEXT, 'f').data).toEqual(parseYaml(TEXT, 'f').data);
  });
});

describe('ParseCache round trip', () => {
  it('gives back exactly what parseYaml gives for every input file of the example', async () => {
    const { readSources } = await import('../../generators/workspace/inputs.js');
    const { repoRoot } = await import('../helpers.js');
    const first = new ParseCache();
    // The spec files (a Kustomize app's multi-document resources are parsed by its build, not here).
    const texts = [...readSources(repoRoot)].filter(([file, text]) => /\.ya?ml$/.test(file) && !/^---$/m.test(text));
    expect(texts.length).toBeGreaterThan(10);
    for (const [file, text] of texts) first.parse(text, file);
    const next = nextRun(first);
    for (const [file, text] of texts) expect(next.parse(text, file).data, file).toStrictEqual(parseYaml(text, file).data);
    expect(Object.keys(next.toJSON())).toHaveLength(new Set(texts.map(([, t]) => t)).size);
  });

  it('a "__proto__" key stays a plain key', () => {
    const text = 'a:\n  "__proto__":\n    polluted: true\n';
    const cache = new ParseCache();
    const data = cache.parse(text, 'f').data;
    expect(nextRun(cache).parse(text, 'f').data).toStrictEqual(data);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
