/** Where the project's own files are, independent of the working directory. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root of this installation of gitops-bridge (holds schemas/ and generators/):
 * two levels up from this file, or, in the CLI's bundle (cli/bundle.mjs, which lives elsewhere),
 * the root the bundle was built for.
 */
export const toolRoot: string =
  (globalThis as { GITOPS_BRIDGE_TOOL_ROOT?: string }).GITOPS_BRIDGE_TOOL_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const schemasDir = resolve(toolRoot, 'schemas');
