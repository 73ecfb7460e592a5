/** Where the project's own files are, independent of the working directory. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root of this installation of gitops-bridge (holds schemas/ and generators/). */
export const toolRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const schemasDir = resolve(toolRoot, 'schemas');
