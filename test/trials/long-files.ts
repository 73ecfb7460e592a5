/**
 * Test files that run in `npm run trials` (after `npm test`, in .ci/run) rather than in `npm test`:
 * each takes 20-40 s of real processes (kills of a commit, whole CI jobs under gitlab-ci-local, a
 * git server round trip per dry commit, a bench run, the CLI build from scratch), which together
 * would put `npm test` near four minutes on this 2-core machine, against a budget of about two.
 * Measured per file in a full run: crash 39 s, build 35 s, gitlab-pipeline 31 s, bench 22 s,
 * environment-branches 20 s, drift 19 s.
 */
export const LONG_FILES = [
  'test/git/crash.test.ts',
  'test/cli/build.test.ts',
  'test/ci/gitlab-pipeline.test.ts',
  'test/bench.test.ts',
  'test/git/environment-branches.test.ts',
  'test/ci/drift.test.ts',
];
