/** The 100-kill trial of rendered/'s writer (kill-harness.ts says what each kill asserts). */
import { expect, it } from 'vitest';
import { killTrials } from './kill-harness.js';

it('100 kills at random moments of a write (every fourth in its last quarter) leave old, new or a journal the next command finishes', async () => {
  const { outcomes, writeMs } = await killTrials(100, 4);
  const count = (a: string) => outcomes.filter((o) => o.after === a).length;
  console.log(`write: ${writeMs.toFixed(0)} ms; after the kill: old ${count('old')}, new ${count('new')}, journal pending (finished by the next command) ${count('finished')}`);
  expect(outcomes.flatMap((o) => o.problems)).toEqual([]);
});
