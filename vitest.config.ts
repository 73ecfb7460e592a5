import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LONG_FILES } from './test/trials/long-files.js';

/** Files under test/infra/ that never start the Pulumi runtime. */
const PULUMI_FREE = ['test/infra/aws-access.test.ts', 'test/infra/infra-outputs.test.ts'];

const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Vitest's default for `run` is one worker fewer than the cores: a single worker on a
    // 2-core machine. The slow files wait on git and child processes as much as they compute,
    // so one worker per core keeps both cores busy.
    maxWorkers: Math.max(2, availableParallelism()),
    // A scratch directory on a RAM disk when there is one (test/scratch.ts).
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        // Pulumi's runtime settings are process-global (test/infra/harness.ts): each file that
        // runs the Pulumi program gets a fresh process.
        test: { ...shared, name: 'infra', include: ['test/infra/**/*.test.ts'], exclude: PULUMI_FREE, isolate: true },
      },
      {
        // The rest keep no global state between files (process.env is put back, caches hold
        // what the repository's own files give), so a worker reuses the modules it has loaded
        // instead of importing cdk8s, ajv and the generators again for every file.
        test: { ...shared, name: 'generators', include: ['test/*.test.ts', 'test/!(infra)/**/*.test.ts', ...PULUMI_FREE], exclude: LONG_FILES, isolate: false },
      },
    ],
  },
});
