/** Where the project's own files are, independent of the working directory. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root of this installation of gitops-bridge (holds schemas/ and generators/):
 * two levels up from this file, and from the build's files as well (cli/build.mjs puts them in
 * dist/<digest>/), so a copied or moved installation finds its own.
 */
export const toolRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const schemasDir = resolve(toolRoot, 'schemas');
