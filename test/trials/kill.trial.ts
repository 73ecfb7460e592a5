/** The 100-kill trial of rendered/'s writer (kill-harness.ts says what each kill asserts). */
import { expect, it } from 'vitest';
import { killTrials } from './kill-harness.js';

it('100 kills at random moments of a write (half of them late in it) leave old, new or a journal the next command finishes', async () => {
  const { outcomes, writeMs } = await killTrials(100);
  const count = (a: string) => outcomes.filter((o) => o.after === a).length;
  console.log(`write: ${writeMs.toFixed(0)} ms; after the kill: old ${count('old')}, new ${count('new')}, journal pending (finished by the next command) ${count('finished')}`);
  expect(outcomes.flatMap((o) => o.problems)).toEqual([]);
  // The trial reaches the window it is about: kills while the plan was being applied.
  expect(count('finished')).toBeGreaterThan(0);
});
