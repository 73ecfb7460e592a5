/**
 * Strict validation against a CRD-style (structural, OpenAPI v3) schema held as JSON: the
 * schemas declared in schemas/crds/ (declared-schemas.ts) and those of the CRDs an environment
 * renders (rendered-crds.ts). ajv checks the values, after the Kubernetes extensions are put in
 * plain JSON Schema terms (openApiToJsonSchema); a walk over the schema finds unknown fields;
 * ObjectMeta's model checks `metadata`, at the root and in embedded resources.
 *
 * Two readings of "unknown": a CRD's schema is read as the API server prunes (`pruning`): a
 * field is unknown unless `properties` has it, `additionalProperties` allows it, or the object
 * is `x-kubernetes-preserve-unknown-fields: true`, so `type: object` alone keeps no field. A
 * declared schema (a JSON Schema from the CRDs catalog, often with the extensions stripped) is
 * read as before: an object schema with neither properties nor additionalProperties is free-form.
 *
 * Formats: those the API server checks (kube-openapi's registry) that are cheap to check here;
 * other formats (isbn, creditcard, ssn, bsonobjectid...) and the number formats (int32,
 * float...) are accepted as the API server's default registry leaves them unchecked too.
 *
 * Not checked: `x-kubernetes-validations` (CEL rules): there is no CEL evaluator here, so those
 * rules are skipped (the API server still enforces them at apply time). Nor
 * x-kubernetes-list-type/map-keys uniqueness.
 */
import type { Ajv, ValidateFunction } from 'ajv';
import { isIPv4, isIPv6 } from 'node:net';
import { createRequire } from 'node:module';
import { pointerOf } from '../core/errors.js';
import { closest } from '../core/strings.js';
import { modelValidator, StrictValidator, type AjvError, type CompiledValidator, type KindValidator, type Model, type StrictResult, type UnknownField } from './strict-fields.js';

const require = createRequire(import.meta.url);

type Schema = Record<string, unknown>;

export interface StructuralOptions {
  /** Read unknown fields as the API server prunes (a CRD's schema), not as a free-form JSON Schema. */
  pruning: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const versionedUuid = (v: number) => new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, 'i');
const UUID4 = versionedUuid(4);
const UUID5 = versionedUuid(5);
// Letters of any script, as kube-openapi's hostname pattern allows (IDNs).
const HOSTNAME = /^(?=.{1,253}\.?$)[\p{L}\p{N}](?:[-\p{L}\p{N}]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[-\p{L}\p{N}]{0,61}[\p{L}\p{N}])?)*\.?$/u;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$|^([0-9a-f]{2}[:-]){19}[0-9a-f]{2}$|^([0-9a-f]{2}[:-]){7}[0-9a-f]{2}$/i;
// Go's time.ParseDuration (1h30m, 1.5s) and kube-openapi's longer forms (3 days, 1 week).
const DURATION_UNIT = '(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|sec|minutes?|min|hours?|hr|days?|weeks?|wk)';
const DURATION = new RegExp(`^[-+]?((\\d+(\\.\\d*)?|\\.\\d+)\\s*${DURATION_UNIT}\\s*)+$`);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Go's url.Parse refuses little: control characters, spaces in a host, bad percent-escapes. */
const URI = /^[^\s\x00-\x1f\x7f]*$/;

function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  return (isIPv4(ip) && Number(bits) <= 32) || (isIPv6(ip) && Number(bits) <= 128);
}

function isUri(s: string): boolean {
  return URI.test(s) && !/%(?![0-9a-fA-F]{2})/.test(s);
}

const validDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** The formats the API server checks that are checked here (see the header). */
const KUBERNETES_FORMATS: Record<string, (s: string) => boolean> = {
  date: validDate,
  'date-time': (s) => DATE_TIME.test(s) && validDate(s.slice(0, 10)),
  datetime: (s) => DATE_TIME.test(s) && validDate(s.slice(0, 10)),
  byte: (s) => BASE64.test(s),
  ipv4: (s) => isIPv4(s),
  ipv6: (s) => isIPv6(s),
  cidr: isCidr,
  mac: (s) => MAC.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  hostname: (s) => HOSTNAME.test(s),
  email: (s) => EMAIL.test(s),
  uri: isUri,
  duration: (s) => DURATION.test(s),
  hexcolor: (s) => /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.test(s),
  rgbcolor: (s) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(s),
};

let sharedAjv: Ajv | undefined;
let sharedMeta: StrictValidator | undefined;

/** One ajv per thread, with the Kubernetes formats (unknown formats are ignored: strict off). */
export function kubernetesAjv(): Ajv {
  if (!sharedAjv) {
    // Loaded on first use: ajv costs every start of the CLI ~15 ms, and most runs compile no CRD schema.
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    sharedAjv = new AjvClass({ allErrors: true, strict: false, logger: false });
    for (const [name, check] of Object.entries(KUBERNETES_FORMATS)) sharedAjv.addFormat(name, { type: 'string', validate: check });
  }
  return sharedAjv;
}

/** ObjectMeta's model validator, strict, shared by every structural schema of the thread. */
function objectMeta(): StrictValidator {
  if (!sharedMeta) {
    const { ObjectMeta } = require('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta') as { ObjectMeta: Model };
    sharedMeta = new StrictValidator(modelValidator(ObjectMeta) as CompiledValidator);
  }
  return sharedMeta;
}

/** A schema ajv refuses; `pointer` is the place inside the schema, where ajv's meta-schema says. */
export class SchemaCompileError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
    this.name = 'SchemaCompileError';
  }
}

/**
 * Compiles a structural schema (an openAPIV3Schema, or a declared JSON Schema) into a strict
 * validator. Throws a SchemaCompileError when the schema does not compile.
 */
export function compileStructuralSchema(schema: Schema, options: StructuralOptions): KindValidator {
  const normalised = openApiToJsonSchema(withoutId(schema)) as Schema;
  const ajv = kubernetesAjv();
  if (!ajv.validateSchema(normalised)) {
    const first = ajv.errors?.[0];
    throw new SchemaCompileError(`schema is invalid: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`, first?.instancePath ?? '');
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(normalised);
  } catch (e) {
    throw new SchemaCompileError((e as Error).message, '');
  }
  return new StructuralValidator(normalised, validate, options);
}

/**
 * ajv checks values (its additionalProperties errors are left to the walk, which says them
 * better); the walk finds unknown fields and checks embedded resources; ObjectMeta's model
 * checks metadata.
 */
class StructuralValidator implements KindValidator {
  constructor(
    private readonly schema: Schema,
    private readonly validate: ValidateFunction,
    private readonly options: StructuralOptions,
  ) {}

  check(data: unknown): StrictResult {
    const valid = this.validate(data);
    const errors: AjvError[] = valid
      ? []
      : (this.validate.errors ?? [])
          .filter((e) => e.keyword !== 'additionalProperties')
          .map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params as Record<string, unknown>, ...(e.message !== undefined && { message: e.message }) }));
    const unknown: UnknownField[] = [];
    const walk: Walk = { root: this.schema, pruning: this.options.pruning, unknown, errors };
    walkSchema(walk, this.schema, data, [], true);
    return { valid: valid && errors.length === 0 && unknown.length === 0, errors, unknown };
  }
}

interface Walk {
  root: Schema;
  pruning: boolean;
  unknown: UnknownField[];
  errors: AjvError[];
}

/** apiVersion, kind and metadata: implicit at the root of a resource and in an embedded resource. */
const RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function walkSchema(w: Walk, schema: Schema, value: unknown, segments: (string | number)[], resource: boolean, depth = 0): void {
  if (depth > 64) return;
  const s = resolveRef(w.root, schema);
  if (Array.isArray(value)) {
    const items = s.items;
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      value.forEach((v, i) => walkSchema(w, items as Schema, v, [...segments, i], false, depth + 1));
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (embedded || resource) checkResourceFields(w, value as Record<string, unknown>, segments, embedded);
  const properties = collectProperties(w.root, s);
  const additional = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const implicit = embedded || resource;
  for (const [key, v] of Object.entries(value)) {
    if (implicit && key === 'metadata') continue; // checked against ObjectMeta
    const sub = properties.get(key);
    if (sub) walkSchema(w, sub, v, [...segments, key], false, depth + 1);
    else if (implicit && RESOURCE_FIELDS.has(key)) continue;
    else if (additional && typeof additional === 'object') walkSchema(w, additional as Schema, v, [...segments, key], false, depth + 1);
    else if (additional === true || preserve) continue;
    else if (additional === false || properties.size > 0 || w.pruning) {
      const declared = [...properties.keys()].sort();
      const suggestion = closest(key, declared);
      w.unknown.push({ pointer: pointerOf([...segments, key]), field: key, declared, ...(suggestion !== undefined && { suggestion }) });
    }
    // else: a declared schema's object with no properties and no additionalProperties is free-form
  }
}

/** metadata against ObjectMeta; an embedded resource also needs its apiVersion and kind. */
function checkResourceFields(w: Walk, value: Record<string, unknown>, segments: (string | number)[], embedded: boolean): void {
  const at = pointerOf(segments);
  if (embedded) {
    for (const field of ['apiVersion', 'kind']) {
      if (typeof value[field] !== 'string' || value[field] === '') w.errors.push({ instancePath: at, keyword: 'required', params: { missingProperty: field } });
    }
  }
  const meta = value.metadata;
  if (meta === undefined) return;
  const m = objectMeta().check(meta);
  w.errors.push(...m.errors.map((e) => ({ ...e, instancePath: `${at}/metadata${e.instancePath}` })));
  w.unknown.push(...m.unknown.map((u) => ({ ...u, pointer: `${at}/metadata${u.pointer}` })));
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

function withoutId(schema: Schema): Schema {
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
  if (s.nullable === true) {
    if (typeof s.type === 'string') s.type = [s.type, 'null'];
    else if (s.type === undefined && Array.isArray(s.anyOf)) s.anyOf = [...(s.anyOf as unknown[]), { type: 'null' }];
    if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...(s.enum as unknown[]), null];
  }
  return s;
}
