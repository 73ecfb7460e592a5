/** The fast YAML writer against js-yaml itself: byte for byte on rendered fleets and on random values. */
import { readFleet } from '../../generators/workspace/fleet.js';
import { describe, expect, it } from 'vitest';
import { toYaml, toYamlFast, toYamlReference } from '../../generators/engine/yaml.js';
import { referenceRender, repoRoot } from '../helpers.js';

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings YAML treats specially, and ordinary ones. */
const TRICKY = [
  '', ' ', 'a', 'yes', 'Yes', 'NO', 'on', 'Off', 'y', 'n', 'true', 'False', 'null', 'Null', '~', '0', '-1', '1.5', '1e3', '0x1F', '0o17', '0b101', '1_000',
  '.inf', '-.Inf', '.nan', '2024-05-01', '2024-05-01T10:00:00Z', '1:20', '<<', 'a: b', 'a:b', 'a #b', 'a#b', '#x', '- x', '-x', '?x', ':x', 'x:', 'x ',
  ' x', "it's", '"q"', '[1, 2]', '{a: 1}', '@at', '`tick`', '%p', '&anchor', '*alias', '!tag', '|bar', '>gt', 'tab\there', 'line\nbreak', 'trailing\n',
  '\n', 'cr\rhere', 'bell\u0007', 'é', 'emoji 😀', '\u2028', '\ufeffbom', 'x'.repeat(1100), 'a,b', 'a[0]', 'http://example.com/x?y=1#z', '443',
  'arn:aws:iam::123456789012:role/x', '[{"HTTP": 80}, {"HTTPS": 443}]', '25%', '500m', '10.0.0.0/8', 'svc-0001', 'app.kubernetes.io/name', 'Deployment',
];

/** Random values; `common` keeps to what the fast path writes itself (no floats, line breaks or undefined). */
function value(rand: () => number, depth: number, common = false): unknown {
  const pick = () => {
    for (;;) {
      const s = TRICKY[Math.floor(rand() * TRICKY.length)]!;
      if (!common || !s.includes('\n')) return s;
    }
  };
  const r = rand();
  if (depth > 4 || r < 0.45) {
    const s = rand();
    if (s < 0.5) return pick();
    if (s < 0.6 || (common && s < 0.82)) return Math.floor(rand() * 2000) - 1000;
    if (s < 0.65) return [0.5, -0, NaN, Infinity, -Infinity, 1e21, 2 ** 53, -7][Math.floor(rand() * 8)];
    if (s < 0.75) return rand() < 0.5;
    if (s < 0.8) return null;
    if (s < 0.82) return undefined;
    return `k${Math.floor(rand() * 100)}-${pick()}`;
  }
  if (r < 0.7) {
    const n = Math.floor(rand() * 5);
    return Array.from({ length: n }, () => value(rand, depth + 1, common));
  }
  const n = Math.floor(rand() * 6);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = rand() < 0.6 ? ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'spec', 'data', 'a', 'B', '_x'][Math.floor(rand() * 10)]! : pick();
    if (common && key.length > 1000) continue;
    o[key] = value(rand, depth + 1, common);
  }
  return o;
}

describe('toYaml', () => {
  it('is js-yaml byte for byte on every object of the example fleet', async () => {
    const result = await referenceRender(readFleet(repoRoot));
    expect(result.rendered!.size).toBeGreaterThan(100);
    for (const { object } of result.rendered!.values()) expect(toYaml(object)).toBe(toYamlReference(object));
  });

  it('is js-yaml byte for byte on random values, tricky strings included', () => {
    const rand = random(8);
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      const v = value(rand, 0);
      let expected: string | Error;
      try {
        expected = toYamlReference(v);
      } catch (e) {
        expected = e as Error;
      }
      if (expected instanceof Error) expect(() => toYaml(v)).toThrow(expected.message);
      else expect(toYaml(v)).toBe(expected);
      fast++;
    }
    expect(fast).toBe(5000);
  });

  it('writes the common shapes itself, and those too are js-yaml byte for byte', () => {
    const rand = random(33);
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      const v = { apiVersion: 'v1', kind: 'K', spec: value(rand, 0, true) };
      const out = toYamlFast(v);
      if (out === undefined) continue;
      fast++;
      expect(out).toBe(toYamlReference(v));
    }
    expect(fast).toBe(5000);
  });

  it('writes a 10-million-character value without overflowing the stack (a regular expression did, near 8 million)', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', data: { plain: 'x'.repeat(10_000_000), quoted: `: ${'y'.repeat(10_000_000)}` } };
    const out = toYamlFast(object);
    expect(out).toBeDefined();
    expect(out).toBe(toYamlReference(object));
  });

  it('keeps the shapes manifests use: nested lists, empty maps and lists, quoted keywords and numbers', () => {
    const object = { apiVersion: 'v1', kind: 'K', metadata: { name: 'x', annotations: { w: '-1' } }, spec: { a: [[1, 2], [], {}], b: { c: [{ d: 'yes', e: '443' }] }, e: {} } };
    expect(toYaml(object)).toBe(toYamlReference(object));
    expect(toYaml(object)).toBe(
      "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  annotations:\n    w: '-1'\nspec:\n  a:\n    - - 1\n      - 2\n    - []\n    - {}\n  b:\n    c:\n      - d: 'yes'\n        e: '443'\n  e: {}\n",
    );
  });
});
