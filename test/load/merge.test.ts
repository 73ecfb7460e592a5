import { describe, expect, it } from 'vitest';
import { mergeOverlay, setByOverlay } from '../../generators/load/merge.js';

describe('mergeOverlay', () => {
  const base = {
    replicas: 2,
    config: { LOG_LEVEL: 'info', A: '1' },
    env: [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ],
    args: ['--x', '--y'],
    disruptionBudget: { minAvailable: 1 },
  };

  it('merges maps, replaces scalars and plain lists, deletes with null', () => {
    const { value } = mergeOverlay(base, { replicas: 4, config: { LOG_LEVEL: 'debug' }, args: ['--z'], disruptionBudget: null }, 'o.yaml');
    expect(value).toEqual({ ...base, replicas: 4, config: { LOG_LEVEL: 'debug', A: '1' }, args: ['--z'], disruptionBudget: undefined });
    expect('disruptionBudget' in value).toBe(false);
  });

  it('merges named lists by name, appends new items and removes with $patch: delete', () => {
    const { value, fromOverlay } = mergeOverlay(base, { env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }, { name: 'A', $patch: 'delete' }] }, 'o.yaml');
    expect(value.env).toEqual([
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(setByOverlay(fromOverlay, '/env/1/value')).toBe(true);
  });

  it('never modifies its inputs', () => {
    const copy = structuredClone(base);
    mergeOverlay(base, { env: [{ name: 'A', value: 'x' }], config: { A: null } }, 'o.yaml');
    expect(base).toEqual(copy);
  });

  it('records what the overlay set, so errors blame the right file', () => {
    const { fromOverlay } = mergeOverlay(base, { config: { LOG_LEVEL: 'debug' } }, 'o.yaml');
    expect(setByOverlay(fromOverlay, '/config/LOG_LEVEL')).toBe(true);
    expect(setByOverlay(fromOverlay, '/config/A')).toBe(false);
    expect(setByOverlay(fromOverlay, '/replicas')).toBe(false);
  });

  it('deleting a named item that is not there is an error naming the overlay', () => {
    expect(() => mergeOverlay(base, { env: [{ name: 'Z', $patch: 'delete' }] }, 'o.yaml')).toThrowError(/nothing named "Z" to delete/);
  });
});
