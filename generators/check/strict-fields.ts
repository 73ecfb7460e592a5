/**
 * Unknown-field detection on top of a compiled JSON Schema validator (ajv standalone code, as
 * shipped precompiled by @kubernetes-models, or compiled by ajv from a declared CRD schema).
 *
 * The models ship no JSON Schema, only validator code, and that code does not reject unknown
 * fields. It does, however, read every property its schema declares (`data.replicas !==
 * undefined`), enumerate the keys of maps (additionalProperties), and leave free-form objects
 * (x-kubernetes-preserve-unknown-fields) alone. So we run the validator once on a recording
 * proxy of the object and learn, for each object node, its declared fields. A field the
 * validator never read is not in the schema: that is kubeconform's strict mode, derived from
 * the very schema the validator enforces, with no second copy of the Kubernetes OpenAPI.
 *
 * What a validator learns is cached per schema and normalised path (array indices and map keys
 * become `*`), so only the first object of a kind, or one with a part never seen before, pays
 * for the proxy; everything else is a plain walk over Sets.
 */
import { pointerOf } from '../core/errors.js';
import { closest } from '../core/strings.js';

/** An ajv-style validate function: returns validity and leaves errors on `.errors`. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A @kubernetes-models class: its prototype's validate() throws, with ajv's errors, on invalid data. */
export interface Model {
  prototype: { validate(this: unknown): void };
}

/** A model's precompiled validator as an ajv-style function (the model throws; this returns). */
export function modelValidator(model: Model): CompiledValidator {
  const fn: CompiledValidator = (data: unknown) => {
    try {
      model.prototype.validate.call(data);
      fn.errors = null;
      return true;
    } catch (e) {
      const errors = (e as { errors?: AjvError[] }).errors;
      if (!Array.isArray(errors)) throw e;
      fn.errors = errors;
      return false;
    }
  };
  return fn;
}

interface NodeShape {
  /** Properties the schema declares here (every key the validator read). */
  declared: Set<string>;
  /** A map (additionalProperties): every key is allowed, values share one schema. */
  map: boolean;
  /** Free-form (preserve-unknown-fields, or no properties): anything goes below. */
  free: boolean;
}

interface Recording {
  reads: Set<string>;
  enumerated: boolean;
}

export interface UnknownField {
  pointer: string;
  field: string;
  /** Fields declared at that place, for did-you-mean. */
  declared: string[];
  suggestion?: string;
}

export interface StrictResult {
  valid: boolean;
  errors: AjvError[];
  unknown: UnknownField[];
}

/** Checks one object: schema errors and unknown fields. */
export interface KindValidator {
  check(data: unknown): StrictResult;
}

/** A validator plus what it has taught us about its schema's shape. */
export class StrictValidator implements KindValidator {
  private readonly shapes = new Map<string, NodeShape>();

  /**
   * @param extraFields properties the schema declares but the validator never reads, by
   *   normalised path (see DROPPED_BY_GENERATOR in kubernetes-schema.ts); accepted, not descended into.
   */
  constructor(
    private readonly validate: CompiledValidator,
    private readonly extraFields: (path: string) => readonly string[] = () => [],
  ) {}

  check(data: unknown): StrictResult {
    // Fast path: the plain validator for schema errors, the learned shapes for unknown fields.
    const valid = this.validate(data);
    const errors = valid ? [] : [...(this.validate.errors ?? [])];
    const unknown: UnknownField[] = [];
    if (this.walk(data, '', [], unknown, this.shapes)) return { valid, errors, unknown };

    // Something here was never seen (or looks unknown): learn from a recorded run.
    const recordings = new Map<string, Recording>();
    const proxy = record(data, '', recordings);
    const recordedValid = this.validate(proxy);
    const learned = new Map<string, NodeShape>();
    learn(data, '', '', recordings, learned);
    // A failed run may stop early in places, so only what a valid run taught is kept for later.
    if (recordedValid) mergeShapes(this.shapes, learned);
    const shapes = recordedValid ? this.shapes : overlay(this.shapes, learned);
    const found: UnknownField[] = [];
    this.walk(data, '', [], found, shapes, true);
    return { valid, errors, unknown: found };
  }

  /**
   * Reports unknown fields using `shapes`. Returns false (and stops) when it meets a node it
   * has not learned, or, unless `final`, a field it would report: a recorded run decides those.
   */
  private walk(value: unknown, path: string, segments: (string | number)[], out: UnknownField[], shapes: ReadonlyMap<string, NodeShape>, final = false): boolean {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segments.push(i);
        const ok = this.walk(value[i], path + '/*', segments, out, shapes, final);
        segments.pop();
        if (!ok) return false;
      }
      return true;
    }
    if (value === null || typeof value !== 'object') return true;
    const shape = shapes.get(path);
    if (!shape) return final; // in the final walk: a node the validator never reached (its parent is invalid)
    if (shape.free) return true;
    for (const key of Object.keys(value)) {
      let childPath: string;
      if (shape.map) childPath = path + '/*';
      else if (shape.declared.has(key)) childPath = path + '/' + escape(key);
      else if (this.extraFields(path).includes(key)) continue;
      else {
        if (!final) return false;
        const declared = [...shape.declared, ...this.extraFields(path)].sort();
        const suggestion = closest(key, declared);
        out.push({ pointer: pointerOf([...segments, key]), field: key, declared, ...(suggestion !== undefined && { suggestion }) });
        continue;
      }
      segments.push(key);
      const ok = this.walk((value as Record<string, unknown>)[key], childPath, segments, out, shapes, final);
      segments.pop();
      if (!ok) return false;
    }
    return true;
  }
}

/** A deep copy of `value` whose objects are proxies recording what the validator reads. */
function record(value: unknown, path: string, recordings: Map<string, Recording>): unknown {
  if (Array.isArray(value)) return value.map((v, i) => record(v, `${path}/${i}`, recordings));
  if (value === null || typeof value !== 'object') return value;
  const target: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) target[k] = record(v, `${path}/${escape(k)}`, recordings);
  const r: Recording = { reads: new Set(), enumerated: false };
  recordings.set(path, r);
  return new Proxy(target, {
    get(o, key, receiver) {
      if (typeof key === 'string') r.reads.add(key);
      return Reflect.get(o, key, receiver);
    },
    has(o, key) {
      if (typeof key === 'string') r.reads.add(key);
      return Reflect.has(o, key);
    },
    ownKeys(o) {
      r.enumerated = true;
      return Reflect.ownKeys(o);
    },
  });
}

/** Turns the recordings of one run (by concrete path) into shapes (by normalised path). */
function learn(value: unknown, concrete: string, normal: string, recordings: Map<string, Recording>, out: Map<string, NodeShape>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => learn(v, `${concrete}/${i}`, `${normal}/*`, recordings, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const r = recordings.get(concrete);
  if (!r) return;
  const keys = Object.keys(value);
  // Enumerated and every key read: a map. Enumerated for another reason (minProperties) reads only declared keys.
  const map = r.enumerated && keys.every((k) => r.reads.has(k));
  const free = !map && r.reads.size === 0 && !r.enumerated;
  const shape = out.get(normal) ?? { declared: new Set<string>(), map: false, free: false };
  if (map) shape.map = true;
  else if (free && shape.declared.size === 0) shape.free = true;
  if (!map) for (const k of r.reads) shape.declared.add(k);
  if (shape.declared.size > 0) shape.free = false;
  out.set(normal, shape);
  for (const k of keys) {
    if (!map && !r.reads.has(k)) continue;
    learn((value as Record<string, unknown>)[k], `${concrete}/${escape(k)}`, map ? `${normal}/*` : `${normal}/${escape(k)}`, recordings, out);
  }
}

function mergeShapes(into: Map<string, NodeShape>, from: Map<string, NodeShape>): void {
  for (const [path, s] of from) {
    const t = into.get(path);
    if (!t) into.set(path, { declared: new Set(s.declared), map: s.map, free: s.free });
    else {
      for (const k of s.declared) t.declared.add(k);
      t.map ||= s.map;
      t.free = t.declared.size === 0 && !t.map && (t.free || s.free);
    }
  }
}

function overlay(base: Map<string, NodeShape>, extra: Map<string, NodeShape>): Map<string, NodeShape> {
  const out = new Map<string, NodeShape>();
  mergeShapes(out, base);
  mergeShapes(out, extra);
  return out;
}

/** Path segments are joined with `/`; escape a key that contains one (as in a JSON pointer). */
function escape(key: string): string {
  return key.includes('/') || key.includes('~') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}
