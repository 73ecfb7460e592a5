/**
 * The JSON Schemas in schemas/ are the one source of truth for input shapes: ajv validates
 * against them here, and `npm run schemas:types` derives the TypeScript types from them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BridgeError, pointerSegment } from '../core/errors.js';
import { digest } from '../core/hash.js';
import { schemasDir, toolRoot } from '../core/paths.js';
import { closest } from '../core/strings.js';
import type { ParsedDocument } from './yaml.js';

export const SCHEMA_FILES = [
  'common.schema.json',
  'environment.schema.json',
  'app.schema.json',
  'app-overlay.schema.json',
  'stack-outputs.schema.json',
  'argocd.schema.json',
  'exemptions.schema.json',
] as const;

export type SchemaName = 'environment' | 'app' | 'app-overlay' | 'stack-outputs' | 'argocd' | 'exemptions';

const BASE = 'https://gitops-bridge.dev/schemas/';

let compiled: Map<SchemaName, ValidateFunction> | undefined;

export function loadSchemaFiles(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const f of SCHEMA_FILES) out[f] = JSON.parse(readFileSync(`${schemasDir}/${f}`, 'utf8')) as object;
  return out;
}

const NAMES = ['environment', 'app', 'app-overlay', 'stack-outputs', 'argocd', 'exemptions'] as const;
const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true } as const;

function validators(): Map<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  const schemas = loadSchemaFiles();
  compiled = precompiled(schemas) ?? compile(schemas, false).validators;
  return compiled;
}

function compile(schemas: Record<string, object>, source: boolean): { ajv: Ajv; validators: Map<SchemaName, ValidateFunction> } {
  const ajv = new Ajv({ ...AJV_OPTIONS, ...(source && { code: { source: true } }) });
  for (const schema of Object.values(schemas)) ajv.addSchema(schema);
  return { ajv, validators: new Map(NAMES.map((name) => [name, ajv.getSchema(`${BASE}${name}.schema.json`)!])) };
}

/**
 * The validators as ajv's standalone code, kept in node_modules/.cache/gitops-bridge/ under a key
 * of the schemas, the options and ajv's version: compiling them costs a couple of hundred
 * milliseconds at every start, loading the code a few. Generated (by ajv, from the same schemas
 * and options: the same validation and errors) when missing; undefined when the cache cannot be
 * used, and the schemas are compiled as before.
 */
function precompiled(schemas: Record<string, object>): Map<SchemaName, ValidateFunction> | undefined {
  const require = createRequire(join(toolRoot, 'package.json'));
  try {
    const version = (require('ajv/package.json') as { version: string }).version;
    const key = digest(version, JSON.stringify(AJV_OPTIONS), JSON.stringify(schemas));
    const file = join(toolRoot, 'node_modules', '.cache', 'gitops-bridge', `validators-${key}.cjs`);
    let module: Record<string, ValidateFunction>;
    try {
      module = require(file) as Record<string, ValidateFunction>;
    } catch {
      const { ajv } = compile(schemas, true);
      const standalone = (require('ajv/dist/standalone') as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;
      // The runtime helpers the code requires, by absolute path: the file may not sit beside node_modules/ajv.
      const code = standalone(ajv, Object.fromEntries(NAMES.map((name) => [name, `${BASE}${name}.schema.json`]))).replace(
        /require\("(ajv\/dist\/[^"]+)"\)/g,
        (_all, path: string) => `require(${JSON.stringify(require.resolve(path))})`,
      );
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(`${file}.${process.pid}`, code);
      renameSync(`${file}.${process.pid}`, file);
      module = require(file) as Record<string, ValidateFunction>;
    }
    if (!NAMES.every((name) => typeof module[name] === 'function')) return undefined;
    return new Map(NAMES.map((name) => [name, module[name]!]));
  } catch {
    return undefined;
  }
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
      return { message: `"${field}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, hint: 'use one of the listed values' };
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
