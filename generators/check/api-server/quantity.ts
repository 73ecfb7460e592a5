/**
 * Kubernetes resource quantities (apimachinery's resource.ParseQuantity), parsed exactly so that
 * two can be compared: `100m` < `0.5` < `1` = `1000m` < `1e3` = `1k` < `1Ki` (1024). A quantity
 * is an optional sign, decimal digits with at most one '.', and one suffix: none, a decimal SI
 * suffix (n u m k M G T P E), a binary one (Ki Mi Gi Ti Pi Ei) or a decimal exponent (e3, E-2).
 * Values are kept as decimal digits and powers of ten and two, compared by magnitude (floats)
 * and, only when two are too close for that, exactly as BigInt fractions: a container's requests
 * and limits are compared on every pod template, so the common case allocates no BigInt. Pure.
 */

/** A parsed quantity; shared between callers (parses are remembered), so never changed. */
export interface Quantity {
  readonly negative: boolean;
  /** The decimal digits, the '.' removed, without leading zeros ('' for zero). */
  readonly digits: string;
  /** Power of ten the digits are scaled by (the suffix's, less the digits after the '.'). */
  readonly exp10: number;
  /** Power of two (binary suffixes). */
  readonly exp2: number;
}

const DECIMAL: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;
/** Go's int64 range: a decimal exponent outside it does not parse. */
const INT64 = 2n ** 63n;

/** Quantities parsed so far: a fleet writes the same few dozen (`100m`, `256Mi`) on every container. Bounded. */
const parsed = new Map<string, Quantity | null>();

/** Parses a quantity (a string, or a JSON number as YAML writes `1` or `0.5`); undefined when Kubernetes would refuse it. */
export function parseQuantity(value: unknown): Quantity | undefined {
  // A JSON number reaches the API server as its digits (`1e+21` included), parsed the same way.
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text === '') return undefined;
  let q = parsed.get(text);
  if (q === undefined) {
    if (parsed.size > 10_000) parsed.clear();
    q = parse(text) ?? null;
    parsed.set(text, q);
  }
  return q ?? undefined;
}

function parse(text: string): Quantity | undefined {
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = '', suffix = ''] = m;
  let exp10: number;
  let exp2 = 0;
  if (suffix in DECIMAL) exp10 = DECIMAL[suffix]!;
  else if (suffix in BINARY) {
    exp10 = 0;
    exp2 = BINARY[suffix]!;
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    const e = BigInt(suffix.slice(1));
    if (e >= INT64 || e < -INT64) return undefined;
    exp10 = Number(e);
  } else return undefined;
  const digits = ((whole ?? '') + fraction).replace(/^0+/, '');
  return { negative: sign === '-' && digits !== '', digits, exp10: exp10 - fraction.length, exp2 };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const sa = sign(a);
  const sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const magnitude = compareMagnitudes(a, b);
  return sa > 0 ? magnitude : -magnitude;
}

export function sign(q: Quantity): number {
  return q.digits === '' ? 0 : q.negative ? -1 : 1;
}

/** Whether the quantity is a whole number (extended resources and hugepages take only those). */
export function isWhole(q: Quantity): boolean {
  if (q.digits === '' || q.exp10 >= 0) return true;
  if (q.exp10 < -400) return false;
  const { num, den } = fraction(q);
  return num % den === 0n;
}

function compareMagnitudes(a: Quantity, b: Quantity): number {
  // Orders of magnitude apart: no need for exact arithmetic (exponents may be huge).
  const la = log10(a);
  const lb = log10(b);
  if (Math.abs(la - lb) > 1e-9) return la < lb ? -1 : 1;
  if (Math.abs(a.exp10) > 400 || Math.abs(b.exp10) > 400) return 0;
  const fa = fraction(a);
  const fb = fraction(b);
  const l = fa.num * fb.den;
  const r = fb.num * fa.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

function log10(q: Quantity): number {
  const d = q.digits;
  return Math.log10(Number(d.length > 17 ? d.slice(0, 17) : d)) + (d.length > 17 ? d.length - 17 : 0) + q.exp10 + q.exp2 * Math.LOG10E * Math.LN2;
}

function fraction(q: Quantity): { num: bigint; den: bigint } {
  const num = BigInt(q.digits || '0') * 10n ** BigInt(Math.max(q.exp10, 0)) * 2n ** BigInt(q.exp2);
  return { num, den: 10n ** BigInt(Math.max(-q.exp10, 0)) };
}

/** How a quantity reads in a message: as written. */
export function quantityText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
