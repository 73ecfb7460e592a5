/**
 * What input files parsed to, and which schemas that passed, kept between runs by the text's
 * blob id: a re-render after a one-file change parses and schema-checks one file, not every
 * spec of the fleet. Only a faithful JSON round trip is kept (CORE_SCHEMA YAML can also give
 * .inf, .nan and -0.0), only successes are kept (a file with an error is parsed afresh for its
 * message and lines), and a cached document finds its lines by parsing its text when asked.
 * Whoever persists a ParseCache keys the whole of it on the generator code (workspace/code-key.ts, through the cache stamp):
 * another parser or schema must never meet these entries. Pure: the disk is the caller's.
 */
import { blobId } from '../core/hash.js';
import { parseYaml, type ParsedDocument } from './yaml.js';

/** The entries as a file keeps them: blob id -> [JSON of the data, schemas it passed...]. */
export type ParseCacheEntries = Record<string, [string, ...string[]]>;

export class ParseCache {
  private readonly entries: Map<string, [string, ...string[]]>;
  /** Blob ids used this run: what `toJSON` keeps. */
  private readonly used = new Set<string>();
  private changed = false;

  constructor(entries: ParseCacheEntries = {}) {
    this.entries = new Map(Object.entries(entries).filter(([, e]) => Array.isArray(e) && e.length > 0 && e.every((x) => typeof x === 'string')));
  }

  /** The text parsed (from the cache when known there), as parseYaml gives it. */
  parse(text: string, file: string): CachedDocument {
    const id = blobId(text);
    this.used.add(id);
    const entry = this.entries.get(id);
    if (entry) {
      let located: ParsedDocument | undefined;
      return {
        file,
        data: JSON.parse(entry[0]) as unknown,
        lineOf: (pointer) => (located ??= parseYaml(text, file)).lineOf(pointer),
        passed: (schema) => entry.includes(schema, 1),
        pass: () => undefined,
      };
    }
    const doc = parseYaml(text, file);
    const kept: [string, ...string[]] | undefined = jsonCarries(doc.data) ? [JSON.stringify(doc.data)] : undefined;
    if (kept) {
      this.entries.set(id, kept);
      this.changed = true;
    }
    return {
      ...doc,
      passed: () => false,
      pass: (schema) => {
        if (kept && !kept.includes(schema, 1)) {
          kept.push(schema);
          this.changed = true;
        }
      },
    };
  }

  /** Whether toJSON differs from what the cache was made from (new entries, or unused ones to drop). */
  get dirty(): boolean {
    return this.changed || [...this.entries.keys()].some((id) => !this.used.has(id));
  }

  /** The entries of the texts parsed this run. */
  toJSON(): ParseCacheEntries {
    const out: ParseCacheEntries = {};
    for (const id of [...this.used].sort()) {
      const entry = this.entries.get(id);
      if (entry) out[id] = entry;
    }
    return out;
  }
}

/**
 * Whether JSON gives this value back as it is: what CORE_SCHEMA YAML gives (plain objects and
 * arrays, strings, booleans, null, numbers) but for NaN, the infinities and -0.
 */
function jsonCarries(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.every(jsonCarries);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (!Object.hasOwn(value, key) || !jsonCarries((value as Record<string, unknown>)[key])) return false;
  return true;
}

/** A parsed document that knows which schemas its text passed before. */
export interface CachedDocument extends ParsedDocument {
  /** Whether this very text passed `schema` (under the same code) before. */
  passed(schema: string): boolean;
  /** Records that it passed `schema`. */
  pass(schema: string): void;
}
