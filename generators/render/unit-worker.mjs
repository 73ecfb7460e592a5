// Entry of the render worker threads (workers.ts). Threads do not inherit the TypeScript loader
// of the main thread (tsx registered through its API, as bin.mjs does, or vitest's), so each
// registers tsx itself, then loads the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./unit-worker-main.ts');
