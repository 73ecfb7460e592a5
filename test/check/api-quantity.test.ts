/** Kubernetes resource quantities: what parses (resource.ParseQuantity), and their order. */
import { describe, expect, it } from 'vitest';
import { compareQuantities, isWhole, parseQuantity, sign } from '../../generators/check/api-server/quantity.js';

const q = (v: unknown) => {
  const p = parseQuantity(v);
  if (!p) throw new Error(`${String(v)} did not parse`);
  return p;
};
const cmp = (a: unknown, b: unknown) => compareQuantities(q(a), q(b));

describe('parseQuantity', () => {
  it.each(['1e3', '100m', '1Gi', '0.5', '.5', '5.', '+1', '-1', '0', '1E3', '1E', '1.5Ki', '250u', '3n', '12e-2', '1e+21', '000123', 0.5, 2, 1e21])('%s parses', (v) => {
    expect(parseQuantity(v)).toBeDefined();
  });

  it.each(['1.2.3', '', '1e', '1e+', 'abc', '1K', '1ki', '1Gb', ' 1', '1 ', '1Ki5', '1e1.5', '--1', '1m1', '1e9223372036854775808', null, true, {}])('%s does not', (v) => {
    expect(parseQuantity(v)).toBeUndefined();
  });
});

describe('compareQuantities', () => {
  it.each([
    ['100m', '0.5', -1],
    ['0.5', '500m', 0],
    ['1', '1000m', 0],
    ['1e3', '1k', 0],
    ['1k', '1Ki', -1],
    ['1Ki', '1024', 0],
    ['1Gi', '1G', 1],
    ['1Gi', '1073741824', 0],
    ['512Mi', '0.5Gi', 0],
    ['2Gi', '1Gi', 1],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['0', '0m', 0],
    ['1e-3', '1m', 0],
    ['12e-2', '120m', 0],
    ['1E', '1e18', 0],
    ['1Ei', '1E', 1],
    ['1e400', '1e399', 1],
    ['1e-400', '1e-401', 1],
    [1, '1', 0],
    [0.25, '250m', 0],
  ])('%s against %s: %i', (a, b, expected) => {
    expect(cmp(a, b)).toBe(expected);
    expect(cmp(b, a)).toBe(-expected || 0);
  });

  it('sign and whole numbers', () => {
    expect(['-1', '0', '-0', '1m'].map((v) => sign(q(v)))).toEqual([-1, 0, 0, 1]);
    expect(['1', '2k', '1000m', '1Gi', '0'].every((v) => isWhole(q(v)))).toBe(true);
    expect(['1500m', '0.5', '1e-3'].some((v) => isWhole(q(v)))).toBe(false);
  });
});
