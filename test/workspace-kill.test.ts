/**
 * rendered/ after a kill at a random moment of its write (test/trials/kill-harness.ts): a quick
 * version of the 100-kill trial `npm run trials` runs; git sees the old or the new tree or a
 * pending journal the next command finishes, and never a journal, temporary file or lock.
 */
import { describe, expect, it } from 'vitest';
import { killTrials } from './trials/kill-harness.js';

describe('killing a write of rendered/', () => {
  it('leaves the old or the new tree (or a journal the next command finishes), nothing else in git\'s view', async () => {
    const { outcomes } = await killTrials(6);
    console.log(`after 6 kills: ${outcomes.map((o) => o.after).join(', ')}`);
    for (const o of outcomes) expect(o.problems).toEqual([]);
  });
});
