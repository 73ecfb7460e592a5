/**
 * Field-level differences between two parsed objects. Key order never matters; list items
 * that carry a unique `name` (containers, env vars, ports, volumes) are matched by name, so
 * adding one env var is one change, not a shifted list. Pure.
 */
import { compareStrings } from '../core/strings.js';
import type { FieldChange } from './model.js';

type Segment = { key: string } | { index: number } | { named: string };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Structural equality of parsed YAML/JSON values; object key order is irrelevant. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, [], out);
  return out;
}

function walk(before: unknown, after: unknown, path: Segment[], out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
    for (const key of keys) {
      const has = [Object.prototype.hasOwnProperty.call(before, key), Object.prototype.hasOwnProperty.call(after, key)];
      const at = [...path, { key }];
      if (has[0] && has[1]) walk(before[key], after[key], at, out);
      else if (has[0]) out.push({ path: formatPath(at), op: 'remove', before: before[key] });
      else out.push({ path: formatPath(at), op: 'add', after: after[key] });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const nb = namesOf(before);
    const na = namesOf(after);
    if (nb && na) {
      const byName = new Map(before.map((item, i) => [nb[i]!, item]));
      const afterNames = new Set(na);
      for (const [i, name] of nb.entries()) {
        if (!afterNames.has(name)) out.push({ path: formatPath([...path, { named: name }]), op: 'remove', before: before[i] });
      }
      for (const [i, name] of na.entries()) {
        const at = [...path, { named: name }];
        if (byName.has(name)) walk(byName.get(name), after[i], at, out);
        else out.push({ path: formatPath(at), op: 'add', after: after[i] });
      }
      // Same items in another order: the order itself changed (it can matter, e.g. for containers).
      const common = (names: string[]) => names.filter((n) => byName.has(n) && afterNames.has(n));
      if (common(nb).join('\u0000') !== common(na).join('\u0000')) {
        out.push({ path: formatPath(path), op: 'replace', before, after });
      }
      return;
    }
    if (before.length === after.length) {
      before.forEach((item, i) => walk(item, after[i], [...path, { index: i }], out));
      return;
    }
  }
  out.push({ path: formatPath(path), op: 'replace', before, after });
}

/** The `name` of every item when all items are objects with distinct string names. */
function namesOf(items: unknown[]): string[] | undefined {
  if (items.length === 0) return [];
  const names: string[] = [];
  for (const item of items) {
    if (!isPlainObject(item) || typeof item.name !== 'string') return undefined;
    names.push(item.name);
  }
  return new Set(names).size === names.length ? names : undefined;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: Segment[]): string {
  let s = '';
  for (const seg of path) {
    if ('key' in seg) s += PLAIN_KEY.test(seg.key) ? `${s ? '.' : ''}${seg.key}` : `[${JSON.stringify(seg.key)}]`;
    else if ('index' in seg) s += `[${seg.index}]`;
    else s += `[name=${seg.named}]`;
  }
  return s || '.';
}
