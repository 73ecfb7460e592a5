#!/usr/bin/env node
// Entry point for `npx gitops-bridge`, the package bin and the npm scripts. Runs the CLI from its
// build in dist/ (build.mjs, made by `npm ci` through `prepare`, or `npm run build`) when it was
// built from the current sources. After a source was edited (a developer), it builds again
// first if it can write dist/, else runs the TypeScript sources through tsx with a one-line
// notice. GITOPS_BRIDGE_NO_BUNDLE=1 runs the sources through tsx always.
import { pathToFileURL } from 'node:url';
import { build, currentBuild } from './build.mjs';

// Piped into `head` and the like: a closed pipe ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// esbuild (the build below, tsx, chart compiling) runs its process without a worker thread: a
// worker that fails to start it (EMFILE) leaves the blocked caller waiting for ever
// (generators/workspace/charts.ts says what was measured).
process.env.ESBUILD_WORKER_THREADS ??= '0';

const why = (e) => (e instanceof Error ? e.message.split('\n')[0] : String(e));

let entry;
if (!process.env.GITOPS_BRIDGE_NO_BUNDLE || process.env.GITOPS_BRIDGE_NO_BUNDLE === '0') {
  entry = currentBuild()?.main;
  if (entry === undefined) {
    try {
      entry = (await build()).main;
    } catch (e) {
      process.stderr.write(`gitops-bridge: dist/ is not a build of the current sources and could not be rebuilt (${why(e)}); running from the sources\n`);
    }
  }
}
if (entry === undefined) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch (e) {
    process.stderr.write(`gitops-bridge: cannot run the TypeScript sources without tsx, a devDependency (${why(e)}): run \`npm ci\`, or \`npm run build\` where the package is writable\n`);
    process.exit(1);
  }
  entry = new URL('./main.ts', import.meta.url).href;
} else {
  entry = pathToFileURL(entry).href;
}
const { main } = await import(entry);
await main();
