/**
 * Deterministic YAML for rendered manifests: fixed key order (apiVersion, kind, metadata, then
 * by code unit), no anchors, no line folding, YAML 1.1 booleans quoted (js-yaml does this, and
 * Kubernetes' parser needs it).
 *
 * The output is js-yaml's `dump` with DUMP_OPTIONS, byte for byte. Rendering a fleet serialises
 * tens of thousands of objects, so the common shapes are written here directly, several times
 * faster: block mappings and sequences of plain objects, arrays, strings, integers, booleans
 * and null, laid out exactly as js-yaml lays them out. Each distinct string's scalar form comes
 * from js-yaml itself (and is remembered), apart from the plainly safe ones. Anything else
 * (multi-line strings, non-integer numbers, keys over 1024 characters, Dates, undefined at the
 * top...) sends the whole object to js-yaml. test/render/yaml.test.ts holds the two together.
 */
import yaml from 'js-yaml';

/** apiVersion, kind, metadata, name, namespace first, in that order; then everything else. */
function rank(k: string): number {
  switch (k) {
    case 'apiVersion':
      return 0;
    case 'kind':
      return 1;
    case 'metadata':
      return 2;
    case 'name':
      return 3;
    case 'namespace':
      return 4;
    default:
      return 5;
  }
}

export function compareKeys(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const DUMP_OPTIONS: yaml.DumpOptions = { noRefs: true, lineWidth: -1, sortKeys: compareKeys, quotingType: "'", noCompatMode: false };

/** js-yaml's output for `value`, without the fast path (the reference the fast path is tested against). */
export function toYamlReference(value: unknown): string {
  return yaml.dump(value, DUMP_OPTIONS);
}

export function toYaml(value: unknown): string {
  return toYamlFast(value) ?? toYamlReference(value);
}

/** The fast path alone: js-yaml's output, or undefined for a value it leaves to js-yaml. */
export function toYamlFast(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    return node(value, 0, true) + '\n';
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

/** Thrown by the fast path on a value it leaves to js-yaml. */
const UNSUPPORTED = Symbol('unsupported');

const INDENTS: string[] = ['\n'];
function newline(level: number): string {
  let s = INDENTS[level];
  if (s === undefined) {
    s = '\n' + '  '.repeat(level);
    INDENTS[level] = s;
  }
  return s;
}

/** One value at `level`, as js-yaml's writeNode in block mode (compact: the first line continues the parent's). */
function node(value: unknown, level: number, compact: boolean): string {
  switch (typeof value) {
    case 'string':
      return scalar(value);
    case 'number':
      // js-yaml's int type: integers (not -0) in decimal; floats take another path.
      if (Number.isInteger(value) && !Object.is(value, -0)) return String(value);
      throw UNSUPPORTED;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : sequence(value, level, compact);
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) throw UNSUPPORTED;
      return mapping(value as Record<string, unknown>, level, compact);
    default:
      throw UNSUPPORTED;
  }
}

function mapping(object: Record<string, unknown>, level: number, compact: boolean): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return '{}';
  keys.sort(compareKeys);
  let out = '';
  for (const key of keys) {
    const value = object[key];
    if (value === undefined) continue; // js-yaml skips the pair
    const k = scalar(key);
    if (k.length > 1024) throw UNSUPPORTED; // an explicit `? key` pair
    const dump = node(value, level + 1, false);
    if (!compact || out !== '') out += newline(level);
    out += k;
    out += dump.charCodeAt(0) === 10 ? ':' : ': ';
    out += dump;
  }
  return out === '' ? '{}' : out;
}

function sequence(items: unknown[], level: number, compact: boolean): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const dump = node(item === undefined ? null : item, level + 1, true);
    if (!compact || out !== '') out += newline(level);
    out += dump.charCodeAt(0) === 10 ? '-' : '- ';
    out += dump;
  }
  return out;
}

/** Letter first, then letters, digits and `._/-`: never quoted when longer than the 5-letter YAML 1.1 keywords (false, FALSE...). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]{5,}$/;
const scalars = new Map<string, string>();
const MAX_REMEMBERED = 200_000;
/**
 * Longer strings skip PLAIN and the memo: V8 runs a regular expression with a backtracking stack
 * that a `{5,}` over millions of characters overflows ("Maximum call stack size exceeded", measured
 * near 8 million), and a long string is rarely seen twice.
 */
const SHORT = 4096;

/** A string's scalar form, single-line only (a line break sends the object to js-yaml). */
function scalar(s: string): string {
  const short = s.length <= SHORT;
  if (short && PLAIN.test(s)) return s;
  let out = short ? scalars.get(s) : undefined;
  if (out === undefined) {
    if (s.includes('\n')) throw UNSUPPORTED;
    const dumped = yaml.dump(s, DUMP_OPTIONS);
    out = dumped.slice(0, -1);
    if (out.includes('\n')) throw UNSUPPORTED;
    if (!short) return out;
    if (scalars.size >= MAX_REMEMBERED) scalars.clear();
    scalars.set(s, out);
  }
  return out;
}
