/** The long trials (`npm run trials`, run by .ci/run after `npm test`): *.trial.ts under test/trials/. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/trials/**/*.trial.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
