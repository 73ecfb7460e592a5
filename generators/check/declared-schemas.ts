/**
 * Schemas of kinds the installed models do not know, declared by the project: one JSON Schema
 * per kind in schemas/crds/<group>/<kind>_<version>.json, kind in lower case. That is the
 * layout of the community CRDs catalog (and of kubeconform's `-schema-location`), so a schema
 * can be dropped in from there, or written from the CRD's openAPIV3Schema.
 *
 * Pure: works on the SourceSet the loader read. A declared schema takes precedence over a
 * built-in model of the same apiVersion and kind.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { BridgeError, ErrorSink } from '../core/errors.js';
import type { SourceSet } from '../load/sources.js';
import { parseJson } from '../load/yaml.js';
import { modelValidator, StrictValidator, type AjvError, type CompiledValidator, type KindValidator, type Model, type StrictResult, type UnknownField } from './strict-fields.js';
import { pointerOf } from '../core/errors.js';
import { closest } from '../core/strings.js';

const require = createRequire(import.meta.url);

export const CRDS_DIR = 'schemas/crds';
const CRD_FILE = /^schemas\/crds\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]+)_([a-z0-9]+)\.json$/;

export interface DeclaredEntry {
  validator: KindValidator;
  file: string;
}

export class DeclaredSchemas {
  /** `<group>/<version>/<kind lower-case>` -> entry. */
  private readonly entries = new Map<string, DeclaredEntry>();
  private readonly kindNames = new Map<string, Set<string>>();

  add(group: string, version: string, kind: string, entry: DeclaredEntry): void {
    this.entries.set(`${group}/${version}/${kind.toLowerCase()}`, entry);
    const apiVersion = `${group}/${version}`;
    if (!this.kindNames.has(apiVersion)) this.kindNames.set(apiVersion, new Set());
    this.kindNames.get(apiVersion)!.add(kind);
  }

  get(apiVersion: string, kind: string): DeclaredEntry | undefined {
    if (!apiVersion.includes('/')) return undefined;
    return this.entries.get(`${apiVersion}/${kind.toLowerCase()}`);
  }

  /** Kinds declared for an apiVersion (lower-case file names), for did-you-mean. */
  kinds(apiVersion: string): Set<string> {
    return this.kindNames.get(apiVersion) ?? new Set();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Compiles every schemas/crds/ file of the source set; problems are thrown together. */
export function loadDeclaredSchemas(sources: SourceSet): DeclaredSchemas {
  const declared = new DeclaredSchemas();
  const errors = new ErrorSink();
  const files = [...sources.keys()].filter((f) => f.startsWith(`${CRDS_DIR}/`));
  if (files.length === 0) return declared;
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: false });
  const metadata = new StrictValidator(objectMetaValidator());
  for (const file of files) {
    const m = CRD_FILE.exec(file);
    if (!m) {
      errors.add({
        code: 'invalid-name',
        message: 'unexpected file in schemas/crds/',
        file,
        hint: 'declare a kind as schemas/crds/<group>/<kind>_<version>.json, kind in lower case (e.g. schemas/crds/example.com/widget_v1.json)',
      });
      continue;
    }
    const [, group, , kind, version] = m;
    errors.guard(() => {
      const schema = parseJson(sources.get(file)!, file);
      if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
        throw new BridgeError({ code: 'schema', message: 'a declared schema must be a JSON Schema object', file, hint: 'see the CRDs catalog for the expected form' });
      }
      const normalised = openApiToJsonSchema(withoutId(schema as Record<string, unknown>)) as Record<string, unknown>;
      let validate: ValidateFunction;
      try {
        validate = ajv.compile(normalised);
      } catch (e) {
        throw new BridgeError({ code: 'schema', message: `the declared schema does not compile: ${(e as Error).message}`, file, hint: 'it must be a JSON Schema (draft-07), as in the CRDs catalog' });
      }
      declared.add(group!, version!, kind!, { validator: new DeclaredValidator(normalised, validate, metadata), file });
    });
  }
  errors.throwIfAny();
  return declared;
}

/**
 * A declared schema is at hand as JSON Schema, so its unknown fields are found by walking it
 * (structural CRD schemas: properties, items, additionalProperties, preserve-unknown-fields);
 * ajv checks the values, and ObjectMeta's model checks metadata.
 */
class DeclaredValidator implements KindValidator {
  constructor(
    private readonly schema: Record<string, unknown>,
    private readonly validate: ValidateFunction,
    private readonly metadata: StrictValidator,
  ) {}

  check(data: unknown): StrictResult {
    const valid = this.validate(data);
    const errors: AjvError[] = valid ? [] : (this.validate.errors ?? []).filter((e) => e.keyword !== 'additionalProperties').map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params as Record<string, unknown>, ...(e.message !== undefined && { message: e.message }) }));
    const unknown: UnknownField[] = [];
    walkSchema(this.schema, this.schema, data, [], unknown);
    const meta = (data as { metadata?: unknown } | null)?.metadata;
    if (meta !== undefined) {
      const m = this.metadata.check(meta);
      errors.push(...m.errors.map((e) => ({ ...e, instancePath: '/metadata' + e.instancePath })));
      unknown.push(...m.unknown.map((u) => ({ ...u, pointer: '/metadata' + u.pointer })));
    }
    return { valid: valid && errors.length === 0, errors, unknown };
  }
}

type Schema = Record<string, unknown>;

function walkSchema(root: Schema, schema: Schema, value: unknown, segments: (string | number)[], out: UnknownField[], depth = 0): void {
  if (depth > 64) return;
  const s = resolveRef(root, schema);
  if (Array.isArray(value)) {
    const items = s.items;
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      value.forEach((v, i) => walkSchema(root, items as Schema, v, [...segments, i], out, depth + 1));
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (segments.length === 1 && segments[0] === 'metadata') return; // checked against ObjectMeta
  const properties = collectProperties(root, s);
  const additional = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, v] of Object.entries(value)) {
    const sub = properties.get(key);
    if (sub) walkSchema(root, sub, v, [...segments, key], out, depth + 1);
    else if (additional && typeof additional === 'object') walkSchema(root, additional as Schema, v, [...segments, key], out, depth + 1);
    else if (additional === false || (properties.size > 0 && additional !== true && !preserve)) {
      const declared = [...properties.keys()].sort();
      const suggestion = closest(key, declared);
      out.push({ pointer: pointerOf([...segments, key]), field: key, declared, ...(suggestion !== undefined && { suggestion }) });
    }
    // no properties, no additionalProperties: a free-form object
  }
}

/** Properties of a schema and of its allOf/anyOf/oneOf branches (structural schemas repeat them outside). */
function collectProperties(root: Schema, s: Schema, out = new Map<string, Schema>()): Map<string, Schema> {
  const props = s.properties;
  if (props && typeof props === 'object') for (const [k, v] of Object.entries(props)) if (!out.has(k) && v && typeof v === 'object') out.set(k, v as Schema);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = s[key];
    if (Array.isArray(list)) for (const b of list) if (b && typeof b === 'object') collectProperties(root, resolveRef(root, b as Schema), out);
  }
  return out;
}

function resolveRef(root: Schema, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return s;
  let target: unknown = root;
  for (const seg of ref.slice(2).split('/')) target = (target as Schema | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return target && typeof target === 'object' ? (target as Schema) : s;
}

function objectMetaValidator(): CompiledValidator {
  const { ObjectMeta } = require('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta') as { ObjectMeta: Model };
  return modelValidator(ObjectMeta);
}

function withoutId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, $schema: _schema, ...rest } = schema;
  return rest;
}

/**
 * The Kubernetes structural-schema extensions in plain JSON Schema terms: nullable adds null,
 * x-kubernetes-int-or-string is a number or a string, x-kubernetes-preserve-unknown-fields
 * without a type accepts anything. Metadata is checked against ObjectMeta separately.
 */
export function openApiToJsonSchema(schema: unknown, path: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((s) => openApiToJsonSchema(s, path));
  if (schema === null || typeof schema !== 'object') return schema;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && v && typeof v === 'object') {
      s[k] = Object.fromEntries(
        Object.entries(v).map(([name, sub]) => [name, path.length === 0 && name === 'metadata' ? { type: 'object' } : openApiToJsonSchema(sub, [...path, name])]),
      );
    } else if (k === 'enum' || k === 'const' || k === 'default' || k === 'example' || k === 'examples') s[k] = v;
    else s[k] = openApiToJsonSchema(v, [...path, k]);
  }
  if (s['x-kubernetes-int-or-string'] === true && s.type === undefined && s.anyOf === undefined) {
    s.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true && typeof s.type === 'string') s.type = [s.type, 'null'];
  return s;
}
