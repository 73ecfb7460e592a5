/**
 * Pulumi entry point (infra/Pulumi.yaml). The stack name is the environment name; the stack's
 * outputs are the bridge contract that `npm run infra:outputs -- --stack <env>` snapshots into
 * infra/outputs/<env>.json. Only a default export: its result is the stack's outputs.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInfrastructure } from './program.js';
import { readSettings } from './settings.js';

/** The repository root: manifests/ and schemas/ live beside infra/. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export default function main() {
  return createInfrastructure({ root, settings: readSettings() }).outputs;
}
