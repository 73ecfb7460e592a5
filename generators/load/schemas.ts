/**
 * The JSON Schemas in schemas/ are the one source of truth for input shapes: ajv validates
 * against them here, and `npm run schemas:types` derives the TypeScript types from them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { BridgeError, pointerSegment } from '../core/errors.js';
import { schemasDir } from '../core/paths.js';
import { closest } from '../core/strings.js';
import { precompiledValidators } from './precompiled-validators.js';
import schemaSet from './schema-set.json' with { type: 'json' };
import type { ParsedDocument } from './yaml.js';

/** The input schemas, their names and ajv's options: in schema-set.json, which the build (cli/build.mjs) reads too. */
export const SCHEMA_FILES: readonly string[] = schemaSet.SCHEMA_FILES;

export type SchemaName = 'environment' | 'app' | 'app-overlay' | 'stack-outputs' | 'argocd' | 'exemptions' | 'aws-access';

const NAMES = schemaSet.SCHEMA_NAMES as readonly SchemaName[];
const BASE = schemaSet.SCHEMA_BASE;
const AJV_OPTIONS = schemaSet.AJV_OPTIONS;

let compiled: Map<SchemaName, ValidateFunction> | undefined;

export function loadSchemaFiles(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const f of SCHEMA_FILES) out[f] = JSON.parse(readFileSync(`${schemasDir}/${f}`, 'utf8')) as object;
  return out;
}

/** The validators: precompiled in the build (precompiled-validators.ts), compiled from schemas/ when run from the sources. */
function validators(): Map<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  const pre = precompiledValidators;
  if (pre && NAMES.every((name) => typeof pre[name] === 'function')) compiled = new Map(NAMES.map((name) => [name, pre[name]!]));
  else {
    const ajv = new Ajv(AJV_OPTIONS);
    for (const schema of Object.values(loadSchemaFiles())) ajv.addSchema(schema);
    compiled = new Map(NAMES.map((name) => [name, ajv.getSchema(`${BASE}${name}.schema.json`)!]));
  }
  return compiled;
}

/**
 * Validates `data` (by default the whole document) against a schema. Errors name the file,
 * the JSON pointer, the line, and say what to do. `blame` can send an error to another file
 * (an overlay that set the offending value).
 */
export function validateAgainst(
  schema: SchemaName,
  data: unknown,
  doc: ParsedDocument,
  blame?: (pointer: string) => ParsedDocument,
  options: { deferReferences?: boolean } = {},
): BridgeError[] {
  const validate = validators().get(schema)!;
  if (validate(data)) return [];
  const deferred = (err: ErrorObject) =>
    options.deferReferences === true && (err.keyword === 'pattern' || err.keyword === 'not') && /\$\{/.test(String(valueAt(data, err.instancePath)));
  return simplify((validate.errors ?? []).filter((e) => !deferred(e))).map((err) => {
    // An unknown field is best shown at the field itself, not at the object that holds it.
    const pointer =
      err.keyword === 'additionalProperties'
        ? `${err.instancePath}/${pointerSegment(String((err.params as { additionalProperty: string }).additionalProperty))}`
        : err.instancePath;
    const target = blame?.(pointer) ?? doc;
    return new BridgeError({
      code: 'schema',
      ...describe(err),
      file: target.file,
      pointer: pointer === '' ? '/' : pointer,
      line: target.lineOf(pointer),
    });
  });
}

/** Drops the noise of failed oneOf branches and duplicates, keeping what a person acts on. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return true;
    return ![...oneOfAt].some((p) => (e.instancePath === p || e.instancePath.startsWith(p + '/')) && /\/(oneOf|anyOf)\/\d+/.test(e.schemaPath));
  });
  // `not` on an image tag and its pattern are reported together; keep each (pointer, message) once.
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(err: ErrorObject): { message: string; hint: string } {
  const field = err.instancePath.split('/').pop() || '(document)';
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(extra, allowed);
      return {
        message: `unknown field "${extra}"`,
        hint: guess ? `did you mean "${guess}"?` : allowed.length ? `allowed fields here: ${allowed.join(', ')}` : 'remove it',
      };
    }
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return { message: `missing required field "${missing}"`, hint: `add "${missing}" here` };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      const guess = typeof err.data === 'string' ? closest(err.data, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
      return { message: `"${field}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, hint: guess !== undefined ? `did you mean "${guess}"?` : 'use one of the listed values' };
    }
    case 'const':
      return {
        message: `"${field}" must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}`,
        hint: 'copy the header of an existing file of the same kind',
      };
    case 'pattern':
      return { message: `"${field}" does not have the expected form (${(err.params as { pattern: string }).pattern})`, hint: describeOf(err) };
    case 'not':
      return { message: `"${field}" may not be ${JSON.stringify(err.data)}`, hint: describeOf(err) };
    case 'type':
      return { message: `"${field}" must be of type ${(err.params as { type: string | string[] }).type}`, hint: 'quote numbers meant as strings, e.g. "1.0"' };
    default:
      return { message: `"${field}" ${err.message ?? 'is invalid'}`, hint: describeOf(err) };
  }
}

function describeOf(err: ErrorObject): string {
  const d = (err.parentSchema as { description?: string } | undefined)?.description;
  return d ?? 'see the schema in schemas/ for the allowed values';
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const seg of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
