#!/usr/bin/env node
// Entry point for `npx gitops-bridge` / the package bin: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main();
