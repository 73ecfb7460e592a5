/**
 * Kustomize's strategic merge patch, as `kubectl kustomize` (Kustomize v5.5, kyaml v0.18.1)
 * applies a patch file: kyaml's merge2 walk over the target and the patch together, with the
 * list-merge rules of merge-keys.ts. This is not the apiserver's strategic merge patch
 * (apimachinery's), and the differences are kept on purpose because kubectl is the judge:
 *
 * - Merged lists put the patch's elements first, in the patch's order, then the target's
 *   elements the patch did not name (Kustomize merges with "prepend"); a named element is
 *   merged in its patch position.
 * - Lists without a merge strategy in kyaml's schema are replaced by the patch's list as
 *   written: nulls and `$patch` entries inside it are not interpreted.
 * - Kinds kyaml has no schema for (custom resources, kinds newer than Kubernetes 1.21) merge
 *   maps and replace every list; a nested map carrying an apiVersion and kind of a known kind
 *   gets that kind's rules (kyaml looks the schema up at every level that lacks one).
 * - `$patch: delete|replace|merge` act on maps, on merged lists (as an element `{$patch: x}`)
 *   and on merged-list elements. `$retainKeys`, `$setElementOrder/<f>` and
 *   `$deleteFromPrimitiveList/<f>` mean nothing to kyaml: they are ordinary fields.
 * - A `null` in the patch deletes the field; a `null` already in the target that the patch does
 *   not touch stays.
 * - A scalar the patch sets takes the target's quoting: a number or boolean patched over a
 *   quoted string comes out a string. Parsed YAML has lost the quoting, so wasQuoted() guesses
 *   it (exact for strings quoted only where YAML needs it).
 * - A top-level `$patch: replace` changes nothing (kyaml merges into the patch then, and
 *   Kustomize keeps the target's node); a top-level `$patch: delete` removes the object.
 *
 * The walk follows kyaml's structure function by function (walkMap / walkAssociativeSequence /
 * ElementSetter / appendListNode) so that its corner cases (multi-key ports, duplicates,
 * elements without their key) come out as kubectl's do. Inputs are never mutated: a map or
 * list the walk changes is copied, anything else is shared with the inputs.
 */
import { pointerOf } from '../core/errors.js';
import { schemaForKind, type FieldSchema, type ListSchema, type MapSchema } from './merge-keys.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Thrown for a patch Kustomize would refuse (bad directive, wrong type); `pointer` is the JSON pointer inside the patch. */
export class StrategicMergeError extends Error {
  /** Path segments inside the patch, filled in innermost first while the error unwinds. */
  private readonly segments: (string | number)[] = [];
  private readonly detail: string;

  constructor(message: string) {
    super(message);
    this.name = 'StrategicMergeError';
    this.detail = message;
  }

  get pointer(): string {
    return pointerOf(this.segments);
  }

  /** @internal Prepends a path segment (the walk calls this as the error leaves each level). */
  at(segment: string | number): this {
    this.segments.unshift(segment);
    this.message = `${this.detail} (at ${this.pointer || '/'} in the patch)`;
    return this;
  }
}

type JsonMap = Record<string, unknown>;

/** A walk result meaning: keep the target's explicit null (kyaml's "persistent null"). */
const KEEP_NULL = Symbol('keep-null');

const DIRECTIVE = '$patch';

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmptyMap(v: unknown): boolean {
  if (!isMap(v)) return false;
  for (const _ in v) return false;
  return true;
}

/** The text of a scalar node, as kyaml compares merge-key values (maps and lists have none). */
function textOf(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return '';
  }
}

function kindName(v: unknown): string {
  return isMap(v) ? 'MappingNode' : Array.isArray(v) ? 'SequenceNode' : 'ScalarNode';
}

/**
 * Kustomize's strategic merge of `patch` into `target`, by Kubernetes' patch merge keys and strategies for
 * built-in kinds (merge-keys.ts), plain JSON-merge semantics with lists replaced for kinds it does not know.
 * Neither argument is mutated. Returns undefined when the patch deletes the whole object (`$patch: delete` at the top).
 */
export function strategicMerge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  gvk: GroupVersionKind,
): Record<string, unknown> | undefined {
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const schema = schemaForKind(apiVersion, gvk.kind) ?? schemaOfNode(target) ?? schemaOfNode(patch);
  const result = walk(target, patch, schema);
  // Kustomize keeps the node it merged into: a top-level `$patch: replace` made kyaml merge into
  // the patch instead, which Kustomize then drops (the object stays as it was).
  if (result !== undefined && textOf(patch[DIRECTIVE]) === 'replace') return target;
  if (!isMap(result) || isEmptyMap(result)) return undefined;
  return result;
}

/** kyaml's GetSchema for a node without one: the schema of the kind the node itself names. */
function schemaOfNode(node: unknown): MapSchema | undefined {
  if (!isMap(node)) return undefined;
  const { apiVersion, kind } = node;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return undefined;
  return schemaForKind(apiVersion, kind);
}

/**
 * kyaml's Walker.Walk for one field: `dest` from the target (undefined when absent), `src` from the patch.
 * Returns the new value, undefined to clear the field, or KEEP_NULL.
 */
function walk(dest: unknown, src: unknown, schema: FieldSchema | undefined): unknown {
  const lead = dest !== undefined && dest !== null ? dest : src;
  if (lead === undefined || lead === null) return walkMap(dest, src, undefined);
  if (isMap(lead)) {
    checkKind(dest, src, isMap, 'MappingNode');
    const s = schema === undefined ? (schemaOfNode(dest) ?? schemaOfNode(src)) : schema.type === 'map' ? schema : undefined;
    return walkMap(dest, src, s);
  }
  if (Array.isArray(lead)) {
    checkKind(dest, src, Array.isArray, 'SequenceNode');
    if (schema?.type === 'list') return walkMergedList(dest as unknown[] | null | undefined, src as unknown[] | null | undefined, schema);
    // A list kyaml has no merge strategy for: the patch's list as written, else the target's.
    return src !== undefined ? src : dest;
  }
  checkKind(dest, src, (v) => !isMap(v) && !Array.isArray(v), 'ScalarNode');
  return src !== undefined ? src : dest;
}

function checkKind(dest: unknown, src: unknown, ok: (v: unknown) => boolean, expected: string): void {
  if (dest !== undefined && dest !== null && !ok(dest)) throw kindError(expected, dest);
  if (src !== undefined && src !== null && !ok(src)) throw kindError(expected, src);
}

function kindError(expected: string, got: unknown): StrategicMergeError {
  return new StrategicMergeError(
    `the patch and the target disagree on a field's type: expected ${expected} but got ${kindName(got)} (Kustomize refuses to merge a map, a list and a scalar into each other)`,
  );
}

type Directive = 'merge' | 'replace' | 'delete';

/** determineMappingNodePatchStrategy: the map's `$patch` and the map without it. Throws for an unknown value. */
function mapDirective(src: JsonMap): { directive: Directive; map: JsonMap } {
  if (!(DIRECTIVE in src)) return { directive: 'merge', map: src };
  const value = textOf(src[DIRECTIVE]);
  if (value !== 'delete' && value !== 'replace' && value !== 'merge') {
    throw new StrategicMergeError(`unknown patch strategy '${value}' (Kustomize knows $patch: merge, replace and delete)`).at(DIRECTIVE);
  }
  const map: JsonMap = {};
  for (const key in src) if (key !== DIRECTIVE) map[key] = src[key];
  return { directive: value, map };
}

/** kyaml's walkMap with Merger.VisitMap. */
function walkMap(dest: unknown, src: unknown, schema: MapSchema | undefined): unknown {
  let d: JsonMap;
  let s: JsonMap | undefined;
  if (dest === undefined || dest === null) {
    if (src === undefined) return dest === null ? KEEP_NULL : undefined;
    if (!isMap(src)) return src; // a null from the patch: the field goes
    // Adding: only `$patch: delete` matters; an unknown value is ignored here and left in place.
    let added = src;
    try {
      const { directive, map } = mapDirective(src);
      if (directive === 'delete') return undefined;
      added = map;
    } catch (e) {
      if (!(e instanceof StrategicMergeError)) throw e;
    }
    d = added;
    s = added;
  } else {
    if (src === null) return undefined;
    const destMap = dest as JsonMap;
    if (src === undefined) {
      // Nothing from the patch below here: only merged lists can change (kyaml rebuilds them).
      return schema ? revisitMap(destMap, schema) : destMap;
    }
    const { directive, map } = mapDirective(src as JsonMap);
    if (directive === 'delete') return undefined;
    s = map;
    d = directive === 'replace' || dest === src ? map : destMap;
  }
  return mergeFields(d, s, schema);
}

function mergeFields(d: JsonMap, s: JsonMap | undefined, schema: MapSchema | undefined): JsonMap {
  const out: JsonMap = {};
  for (const key in d) {
    const from = s !== undefined && Object.prototype.hasOwnProperty.call(s, key) ? s[key] : undefined;
    let value = walkField(d[key], from, schema, key);
    const before = d[key];
    // kyaml's FieldSetter gives the new scalar the old one's style: a quoted string makes the
    // patch's number or boolean a quoted string too (`"8080"` patched with 9090 gives "9090").
    if (typeof before === 'string' && (typeof value === 'number' || typeof value === 'boolean') && wasQuoted(before)) value = String(value);
    set(out, key, value);
  }
  if (s !== undefined) {
    for (const key in s) {
      if (Object.prototype.hasOwnProperty.call(d, key)) continue;
      set(out, key, walkField(undefined, s[key], schema, key));
    }
  }
  return out;
}

function walkField(dest: unknown, src: unknown, schema: MapSchema | undefined, key: string): unknown {
  try {
    return walk(dest, src, schema?.fields.get(key));
  } catch (e) {
    if (e instanceof StrategicMergeError) e.at(key);
    throw e;
  }
}

/** kyaml's FieldSetter: a cleared or null value removes the field, a kept null stays. */
function set(out: JsonMap, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  out[key] = value === KEEP_NULL ? null : value;
}

/** A target map the patch does not touch: walked only along merged lists, copied only if one changes. */
function revisitMap(dest: JsonMap, schema: MapSchema): JsonMap {
  let out: JsonMap | undefined;
  for (const [key, sub] of schema.fields) {
    if (!Object.prototype.hasOwnProperty.call(dest, key)) continue;
    const before = dest[key];
    if (before === null) continue;
    const after = walk(before, undefined, sub);
    if (after === before) continue;
    out ??= { ...dest };
    if (after === undefined) delete out[key];
    else out[key] = after === KEEP_NULL ? null : after;
  }
  return out ?? dest;
}

/** determineSequenceNodePatchStrategy: a `{$patch: x}` element directs the whole list; it is removed. */
function listDirective(src: unknown[]): { directive: Directive; list: unknown[] } {
  const holder = src.find((e) => isMap(e) && DIRECTIVE in e) as JsonMap | undefined;
  if (holder === undefined || Object.keys(holder).length > 1) return { directive: 'merge', list: src };
  const value = textOf(holder[DIRECTIVE]);
  if (value !== 'delete' && value !== 'replace' && value !== 'merge') {
    throw new StrategicMergeError(`unknown patch strategy '${value}' (Kustomize knows $patch: merge, replace and delete)`).at(src.indexOf(holder));
  }
  return { directive: value, list: elementSet(src, undefined, [DIRECTIVE], [value]) };
}

/** kyaml's walkAssociativeSequence with Merger.VisitList, for a list with patch strategy `merge`. */
function walkMergedList(dest: unknown[] | null | undefined, src: unknown[] | null | undefined, schema: ListSchema): unknown {
  let d: unknown[];
  let s: unknown[] | undefined;
  if (dest === undefined || dest === null) {
    // Adding the list: taken as written (no list directive), then merged with itself.
    d = src as unknown[];
    s = d;
  } else {
    if (src === null) return undefined;
    if (src === undefined) {
      s = undefined;
      d = dest;
    } else {
      const { directive, list } = listDirective(src);
      if (directive === 'delete') return undefined;
      s = list;
      d = directive === 'replace' || dest === src ? list : dest;
    }
  }
  if (s === undefined) {
    const rebuilt = rebuildWellFormed(d, schema);
    if (rebuilt !== undefined) return rebuilt;
  }
  const merged =
    schema.keys.length > 0
      ? ((s !== undefined ? mergeKeyedWellFormed(d, s, schema.keys, schema.element) : undefined) ?? mergeKeyed(d, s, schema.keys, schema.element))
      : mergePrimitives(d, s);
  return sameElements(merged, d) ? d : merged;
}

/**
 * What mergeKeyed gives, computed directly, for the usual lists: every element of both lists a
 * non-empty map with a distinct non-empty value of the first key, and no element giving any
 * other key (so kyaml merges by the first key alone). The patch's elements come first in the
 * patch's order, then the target's others in theirs. Undefined for any other pair of lists.
 */
function mergeKeyedWellFormed(d: unknown[], s: unknown[], keys: readonly string[], element: MapSchema | undefined): unknown[] | undefined {
  const primary = keys[0] as string;
  const destIndex = indexByPrimary(d, keys);
  if (destIndex === undefined || indexByPrimary(s, keys) === undefined) return undefined;
  const destNow = d.slice();
  const done = new Array<boolean>(d.length).fill(false);
  const order: (number | unknown)[] = [];
  const fromDest: boolean[] = [];
  for (let i = 0; i < s.length; i++) {
    const srcElem = s[i] as JsonMap;
    const j = destIndex.get(textOf(srcElem[primary]));
    let val: unknown;
    try {
      val = walk(j === undefined ? undefined : d[j], srcElem, element);
    } catch (e) {
      if (e instanceof StrategicMergeError) e.at(i);
      throw e;
    }
    if (j !== undefined) done[j] = true;
    if (val === undefined || val === null || val === KEEP_NULL || isEmptyMap(val)) continue;
    if (j === undefined) {
      order.push(val);
      fromDest.push(false);
      continue;
    }
    // A replaced element leaves the target's as it was (see mergeKeyed).
    if (srcElem[DIRECTIVE] !== 'replace') destNow[j] = val;
    order.push(j);
    fromDest.push(true);
  }
  const out: unknown[] = [];
  for (let k = 0; k < order.length; k++) out.push(fromDest[k] ? destNow[order[k] as number] : order[k]);
  for (let j = 0; j < d.length; j++) {
    if (done[j]) continue;
    const before = d[j] as JsonMap;
    out.push(element ? walkMap(before, undefined, element) : before);
  }
  return out;
}

/** Element index by the first key's text, when the list is well formed for mergeKeyedWellFormed. */
function indexByPrimary(list: unknown[], keys: readonly string[]): Map<string, number> | undefined {
  const primary = keys[0] as string;
  const index = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isMap(e) || !Object.prototype.hasOwnProperty.call(e, primary)) return undefined;
    for (let k = 1; k < keys.length; k++) if (Object.prototype.hasOwnProperty.call(e, keys[k] as string)) return undefined;
    const text = textOf(e[primary]);
    if (text === '' || index.has(text)) return undefined;
    index.set(text, i);
  }
  return index;
}

/**
 * The target's merged list when the patch does not name it: kyaml rebuilds it, which for a list
 * whose elements are non-empty maps with distinct values of the first key (or distinct
 * non-empty primitives) gives the same elements in the same order. Undefined for any other
 * list (repeats, elements without the key...), which takes kyaml's whole path.
 */
function rebuildWellFormed(d: unknown[], schema: ListSchema): unknown[] | undefined {
  const seen = new Set<string>();
  const primary = schema.keys[0];
  if (primary === undefined) {
    for (const e of d) {
      if (e === null || typeof e === 'object') return undefined;
      const text = textOf(e);
      if (text === '' || seen.has(text)) return undefined;
      seen.add(text);
    }
    return d;
  }
  for (const e of d) {
    if (!isMap(e) || !Object.prototype.hasOwnProperty.call(e, primary)) return undefined;
    const text = textOf(e[primary]);
    if (text === '' || seen.has(text)) return undefined;
    seen.add(text);
  }
  if (schema.element === undefined) return d;
  let out: unknown[] | undefined;
  for (let i = 0; i < d.length; i++) {
    const before = d[i] as JsonMap;
    if (isEmptyMap(before)) return undefined;
    const after = walkMap(before, undefined, schema.element);
    if (after !== before) (out ??= d.slice())[i] = after;
  }
  return out ?? d;
}

function sameElements(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A target element during the merge: its current content (merging into it changes it, as kyaml merges in place). */
interface DestSlot {
  value: unknown;
}

/** ElementValuesList: each element's key values as text ('' for a missing or empty one). */
function keyValues(list: unknown[], keys: readonly string[]): string[][] {
  return list.map((e) => keys.map((k) => (isMap(e) && Object.prototype.hasOwnProperty.call(e, k) ? textOf(e[k]) : '')));
}

function mergeKeyed(d: unknown[], s: unknown[] | undefined, keys: readonly string[], element: MapSchema | undefined): unknown[] {
  // elementValues: the patch's elements first ("prepend"), then the target's, without repeats.
  let valuesList: string[][] = [];
  const seen = new Set<string>();
  for (const source of s === undefined ? [d] : [s, d]) {
    for (const values of keyValues(source, keys)) {
      const id = values.join('\u0000');
      if (seen.has(id)) continue;
      seen.add(id);
      valuesList.push(values);
    }
  }
  if (keys.length > 1) valuesList = mergeValues(valuesList);

  let destList: DestSlot[] = d.map((value) => ({ value }));
  let items: unknown[] = [];
  let validKeys: string[] | undefined;
  const validSet = keysWithValues(valuesList, keys);
  for (const values of valuesList) {
    if (values.length === 0) continue;
    const valid = validateKeys(validSet, values, keys);
    validKeys = valid.keys;
    const validValues = valid.values;
    const match = validateKeys(keysWithValues([validValues], validKeys), validValues, validKeys);
    const slot = destList.find((e) => matchElement(e.value, match.keys, match.values));
    const srcElem = s === undefined ? undefined : s.find((e) => matchElement(e, match.keys, match.values));
    let val: unknown;
    try {
      val = walk(slot?.value, srcElem, element);
    } catch (e) {
      if (e instanceof StrategicMergeError && s !== undefined && srcElem !== undefined) e.at(s.indexOf(srcElem));
      throw e;
    }
    if (val === KEEP_NULL) val = null;
    // The target's element was merged in place unless the patch element replaced or deleted it
    // (kyaml then works on the patch's element, and the target's one goes back unchanged).
    const intoSlot =
      slot !== undefined &&
      (slot.value === srcElem || !(isMap(srcElem) && (srcElem[DIRECTIVE] === 'replace' || srcElem[DIRECTIVE] === 'delete')));
    if (intoSlot && val !== undefined && val !== null) slot.value = val;

    let exit = false;
    for (let i = 0; i < validKeys.length; i++) {
      const key = validKeys[i] as string;
      if (val === undefined || val === null || isEmptyMap(val)) {
        destList = elementSetSlots(destList, validKeys, validValues);
        exit = true;
      } else if (isMap(val) && !Object.prototype.hasOwnProperty.call(val, key) && validValues[i] !== '') {
        val = { ...val, [key]: plainScalar(validValues[i] as string) };
        if (intoSlot) slot.value = val;
      }
    }
    if (exit) continue;
    items = elementSet(items, val, validKeys, validValues);
  }
  let result: unknown[] = destList.map((e) => e.value);
  if (valuesList.length > 0 && validKeys !== undefined) result = appendList(items, result, validKeys);
  return result;
}

function mergePrimitives(d: unknown[], s: unknown[] | undefined): unknown[] {
  const valuesList: string[] = [];
  const seen = new Set<string>();
  for (const source of s === undefined ? [d] : [s, d]) {
    for (const e of source) {
      const text = textOf(e);
      if (seen.has(text)) continue;
      seen.add(text);
      valuesList.push(text);
    }
  }
  let destList: DestSlot[] = d.map((value) => ({ value }));
  let items: unknown[] = [];
  for (const v of valuesList) {
    const slot = destList.find((e) => matchScalarText(e.value, v));
    const srcElem = s === undefined ? undefined : s.find((e) => matchScalarText(e, v));
    let val = walk(slot?.value, srcElem, undefined);
    if (val === KEEP_NULL) val = null;
    if (val === undefined || val === null || isEmptyMap(val)) {
      destList = elementSetSlots(destList, [''], [v]);
      continue;
    }
    items = elementSet(items, val, [''], [v]);
  }
  if (valuesList.length === 0) return d;
  return appendList(items, destList.map((e) => e.value), ['']);
}

/** ElementMatcher with keys: the elements kyaml finds by key values ('' only matches an empty value; '' key: scalar text). */
function matchElement(e: unknown, keys: readonly string[], values: readonly string[]): boolean {
  if (keys.length === 0 || keys[0] === '') return matchScalarText(e, values[0] ?? '');
  if (!isMap(e)) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (!Object.prototype.hasOwnProperty.call(e, k)) return false;
    if (textOf(e[k]) !== values[i]) return false;
  }
  return true;
}

/** An element of a list of primitives matching by its text (a map's or list's text is ''). */
function matchScalarText(e: unknown, text: string): boolean {
  return e !== undefined && textOf(e) === text;
}

/** The keys some element of the list has a value for. */
function keysWithValues(valuesList: readonly string[][], keys: readonly string[]): Set<string> {
  const valid = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== '' && valid.add(keys[i] as string));
  return valid;
}

/** validateKeys: the keys some element has a value for (`valid`), and this element's values for them. */
function validateKeys(valid: ReadonlySet<string>, values: readonly string[], keys: readonly string[]): { keys: string[]; values: string[] } {
  if (valid.size === 0) return { keys: [...keys], values: [...values] };
  return {
    keys: keys.filter((k) => valid.has(k)),
    values: values.filter((v, i) => v !== '' || valid.has(keys[i] as string)),
  };
}

/** mergeValues: entries agreeing on every key both give a value for are unified (ports with and without protocol). */
function mergeValues(valuesList: string[][]): string[][] {
  const list = valuesList.slice();
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const merged = matchValues(list[i] as string[], list[j] as string[]);
      if (merged) {
        list[i] = merged;
        list[j] = merged;
      }
    }
  }
  return list;
}

function matchValues(a: string[], b: string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) {
      common = true;
      out.push(x);
    } else if (x !== '' && y !== '') {
      return undefined;
    } else {
      out.push(x !== '' ? x : y);
    }
  }
  return common ? out : undefined;
}

/**
 * kyaml's ElementSetter on a list: drops null and empty-map elements, replaces every element
 * matching the keys with `element` (or removes them when `element` is undefined), appends
 * `element` when none matched. An empty value matches any value of its key.
 */
function elementSet(list: readonly unknown[], element: unknown, keys: readonly string[], values: readonly string[]): unknown[] {
  const ks = keys.length === 0 ? [''] : keys;
  const mappingSetter = ks[0] !== '' && values.length > 0 && values[0] !== '';
  const out: unknown[] = [];
  let matched = false;
  for (const e of list) {
    if (e === undefined || e === null || isEmptyMap(e)) continue;
    if (!isMap(e) && mappingSetter) {
      out.push(e);
      continue;
    }
    if (!setterMatches(e, ks, values)) {
      if (values.length > 0) out.push(e);
      continue;
    }
    matched = true;
    if (element === undefined || element === null) continue;
    out.push(element);
  }
  if (element === undefined || element === null) return out;
  if (!matched) out.push(element);
  return out;
}

/** elementSet's deletion on the target's slots (their identity is kept for later merges). */
function elementSetSlots(list: DestSlot[], keys: readonly string[], values: readonly string[]): DestSlot[] {
  const ks = keys.length === 0 ? [''] : keys;
  const mappingSetter = ks[0] !== '' && values.length > 0 && values[0] !== '';
  const out: DestSlot[] = [];
  for (const slot of list) {
    const e = slot.value;
    if (e === undefined || e === null || isEmptyMap(e)) continue;
    if (!isMap(e) && mappingSetter) {
      out.push(slot);
      continue;
    }
    if (!setterMatches(e, ks, values)) {
      if (values.length > 0) out.push(slot);
    }
  }
  return out;
}

/** The FieldMatcher chain of ElementSetter (keys past the values reuse the last match, as kyaml does). */
function setterMatches(e: unknown, keys: readonly string[], values: readonly string[]): boolean {
  let found: unknown = undefined;
  for (let j = 0; j < keys.length; j++) {
    if (j < values.length) found = fieldMatch(e, keys[j] as string, values[j] as string);
    if (found === undefined) return false;
  }
  return true;
}

function fieldMatch(e: unknown, name: string, value: string): unknown {
  if (name === '') {
    if (isMap(e) || Array.isArray(e)) {
      throw new StrategicMergeError('a list of primitive values (merged as a set) holds a map or a list');
    }
    return textOf(e) === value ? e : undefined;
  }
  if (!isMap(e)) {
    throw new StrategicMergeError(`a list merged by key '${name}' holds an element that is not a map`);
  }
  if (!Object.prototype.hasOwnProperty.call(e, name)) return undefined;
  const field = e[name];
  if (value === '') return field === null ? KEEP_NULL : field;
  return textOf(field) === value ? field : undefined;
}

/** appendListNode: puts the target's elements into the patch-ordered list, by their key values. */
function appendList(dst: unknown[], src: readonly unknown[], keys: readonly string[]): unknown[] {
  let out = dst;
  for (const e of src) {
    if (keys[0] === '') {
      out = elementSet(out, e, [''], [textOf(e)]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (e === undefined || e === null) {
        out = [...out, e];
        continue;
      }
      if (!isMap(e)) throw new StrategicMergeError(`a list merged by key '${key}' holds an element that is not a map`);
      if (!Object.prototype.hasOwnProperty.call(e, key)) {
        out = [...out, e];
        continue;
      }
      values.push(textOf(e[key]));
    }
    if (keys.length > 1) out = elementSet(out, undefined, keys, values);
    out = elementSet(out, e, keys, values);
  }
  return out;
}

/**
 * Whether a string of the target was written quoted (or as a block): parsed YAML no longer says,
 * so this guesses from the text: the strings that a plain scalar cannot spell (ones that would
 * read as a number, boolean or null, empty, multi-line, or starting or holding YAML syntax). A
 * string quoted without need (`name: "web"`) is taken as plain; Kustomize would quote a number
 * or boolean patched into it.
 */
function wasQuoted(text: string): boolean {
  if (text === '' || text.includes('\n') || text !== text.trim()) return true;
  if (/^(?:true|false|yes|no|on|off|y|n|null|~)$/i.test(text)) return true;
  if (/^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/.test(text)) return true;
  if (/^(?:0x[\da-fA-F_]+|0o[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d+(?::[0-5]?\d)+(?:\.\d*)?)$/.test(text)) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/^-[^\s]/.test(text)) return true;
  return text.includes(': ') || text.includes(' #') || text.endsWith(':');
}

/** A key value kyaml writes back as a plain YAML scalar (it keeps only the text). */
function plainScalar(text: string): unknown {
  if (/^-?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
