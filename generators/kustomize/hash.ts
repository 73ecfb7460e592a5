/**
 * Kustomize's content hash of a ConfigMap, which becomes its name suffix: SHA-256 of the JSON Go
 * would write for {kind, name, data[, binaryData]} (keys sorted, <, > and & escaped), the first
 * ten hex digits with 0, 1, 3, a and e swapped for letters that cannot spell words. The name is
 * always empty: Kustomize looks it up as one field called "metadata/name", which no object has
 * (checked against kubectl: `literals: [a=b]` hashes to 4h2mbtbbt6 whatever the name).
 */
import { createHash } from 'node:crypto';
import { compareStrings } from '../core/strings.js';

const SWAP: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

/** JSON as Go's encoding/json writes it: sorted keys, HTML-safe escapes. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(goJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareStrings);
  return '{' + keys.map((k) => goJson(k) + ':' + goJson(obj[k])).join(',') + '}';
}

export function encodeHash(hex: string): string {
  return [...hex.slice(0, 10)].map((c) => SWAP[c] ?? c).join('');
}

export function configMapHash(obj: Record<string, unknown>): string {
  const field = (v: unknown) => (v === undefined ? '' : v);
  const m: Record<string, unknown> = { kind: 'ConfigMap', name: '', data: field(obj.data) };
  if (obj.binaryData && typeof obj.binaryData === 'object' && !Array.isArray(obj.binaryData)) m.binaryData = obj.binaryData;
  return encodeHash(createHash('sha256').update(goJson(m)).digest('hex'));
}
