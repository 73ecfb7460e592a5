// Entry of the render worker threads (worker-threads.ts) when run from the sources. Threads do
// not inherit the TypeScript loader of the main thread (tsx registered through its API, as
// bin.mjs does, or vitest's), so each registers tsx itself, then loads the worker proper. The
// build (cli/build.mjs) makes its unit-worker.mjs from unit-worker-main.ts directly.
import { register } from 'tsx/esm/api';

register();
const { default: renderTask } = await import('./unit-worker-main.ts');
export default renderTask;
