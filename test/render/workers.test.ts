/** How many render threads a render uses: one unless GITOPS_BRIDGE_THREADS asks for more (README, Performance). */
import { describe, expect, it } from 'vitest';
import { threadCount, workersFor } from '../../generators/threads/workers.js';

describe('render threads', () => {
  it('are opt-in: one thread unless GITOPS_BRIDGE_THREADS is a whole number >= 1', () => {
    expect(threadCount({})).toBe(1);
    expect(threadCount({ GITOPS_BRIDGE_THREADS: '4' })).toBe(4);
    for (const bad of ['0', '-2', '1.5', 'all', '']) expect(threadCount({ GITOPS_BRIDGE_THREADS: bad }), bad).toBe(1);
  });

  it('start a worker per 300 units to render, up to the threads asked for', () => {
    expect(workersFor(10_000, { threads: 1 })).toBe(0);
    expect(workersFor(10_000, { threads: 4 })).toBe(3);
    expect(workersFor(299, { threads: 4 })).toBe(0);
    expect(workersFor(650, { threads: 4 })).toBe(2);
    expect(workersFor(5, { threads: 3, minUnits: 1 })).toBe(2);
  });
});
