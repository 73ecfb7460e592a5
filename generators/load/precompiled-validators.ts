/**
 * The input schemas' validators, precompiled: in the build (dist/), generators/cli/build.mjs
 * replaces this module by ajv's standalone code for the schemas of schema-set.json, compiled
 * with its options (the same validation and errors as compiling them at run time, without the
 * couple of hundred milliseconds that costs at every start). Run from the sources (tsx, vitest),
 * there are none: load/schemas.ts compiles the schemas.
 */
import type { ValidateFunction } from 'ajv';

export const precompiledValidators: Record<string, ValidateFunction> | undefined = undefined;
