#!/usr/bin/env node
// Entry point for `npx gitops-bridge`, the package bin and the npm scripts. Runs the CLI from its
// esbuild bundle (bundle.mjs: built on the first run after a source changes, then reused), or
// from the TypeScript sources through tsx when esbuild is missing or GITOPS_BRIDGE_NO_BUNDLE=1.
import { pathToFileURL } from 'node:url';
import { bundle } from './bundle.mjs';

// Piped into `head` and the like: a closed pipe ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

let entry;
if (!process.env.GITOPS_BRIDGE_NO_BUNDLE || process.env.GITOPS_BRIDGE_NO_BUNDLE === '0') {
  try {
    entry = await bundle();
  } catch (e) {
    process.stderr.write(`gitops-bridge: could not bundle the CLI (${e instanceof Error ? e.message.split('\n')[0] : e}); running it from its sources\n`);
  }
}
if (entry === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('./main.ts', import.meta.url).href;
} else {
  entry = pathToFileURL(entry).href;
}
const { main } = await import(entry);
await main();
