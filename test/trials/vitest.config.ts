/**
 * The long trials (`npm run trials`, run by .ci/run after `npm test`): *.trial.ts under
 * test/trials/, and the long end-to-end test files npm test leaves out (long-files.ts).
 */
import { defineConfig } from 'vitest/config';
import { LONG_FILES } from './long-files.js';

export default defineConfig({
  test: {
    include: ['test/trials/**/*.trial.ts', ...LONG_FILES],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
