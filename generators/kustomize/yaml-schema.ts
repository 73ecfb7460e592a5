/**
 * The YAML schema Kustomize reads its inputs with: plain scalars resolve to numbers the way
 * go-yaml v3 resolves them, not the way YAML 1.2's core schema does. Measured with kubectl
 * kustomize v5.5 (every input goes through go-yaml and JSON, so the output is the resolved value):
 * `defaultMode: 0644` comes out as 420 (a leading 0 is octal, as in YAML 1.1), `1_000` as 1000
 * (underscores are dropped), `0X1F` as 31, `08` and `09.5` as the floats 8 and 9.5, `+.5` as 0.5;
 * js-yaml's core schema reads 644, '1_000', '0X1F', 8, 9.5 and '+.5'. An octal file mode read as
 * decimal is an invalid mode (644 > 0777) or a wrong one (0400 as 400 = 0620), so this matters.
 * Null and booleans are the same in both (yes/no/on/off stay strings). Not reproduced: plain
 * timestamps (go-yaml turns `2024-01-01` into "2024-01-01T00:00:00Z"); they stay as written.
 */
import yaml from 'js-yaml';

/** Go's strconv.ParseInt/ParseUint with base 0, on text without underscores. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function goInt(text: string): number | undefined {
  if (!/^[-+.0-9]/.test(text)) return undefined;
  const m = GO_INT.exec(text.replace(/_/g, ''));
  if (!m) return undefined;
  const digits = m[2]!;
  const prefix = digits.slice(0, 2).toLowerCase();
  const magnitude =
    prefix === '0x' || prefix === '0o' || prefix === '0b'
      ? BigInt(`0${prefix[1]}${digits.slice(2)}`)
      : digits.length > 1 && digits.startsWith('0')
        ? BigInt(`0o${digits.slice(1)}`)
        : BigInt(digits);
  const value = m[1] === '-' ? -magnitude : magnitude;
  // ParseInt takes int64; ParseUint (no sign) the rest up to uint64; beyond, it is a float or a string.
  if (value < INT64_MIN || value > UINT64_MAX || (value >= 2n ** 63n && m[1] !== '')) return undefined;
  return Number(value) || 0;
}

function goFloat(text: string): number | undefined {
  if (SPECIAL_FLOAT.test(text)) return text.toLowerCase().includes('nan') ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  if (!/^[-+.0-9]/.test(text)) return undefined;
  const plain = text.replace(/_/g, '');
  if (!GO_FLOAT.test(plain)) return undefined;
  const value = Number(plain);
  // Go's ParseFloat refuses what overflows; such text stays a string.
  return Number.isFinite(value) ? value || 0 : undefined;
}

const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && goInt(data) !== undefined,
  construct: (data: string) => goInt(data),
});

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  // Tried only after intType refused the text (js-yaml tries implicit types in order).
  resolve: (data: unknown) => typeof data === 'string' && goFloat(data) !== undefined,
  construct: (data: string) => goFloat(data),
});

const nullType = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: unknown) => data === null || data === '' || data === '~' || data === 'null' || data === 'Null' || data === 'NULL',
  construct: () => null,
});

const BOOLS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && Object.prototype.hasOwnProperty.call(BOOLS, data),
  construct: (data: string) => BOOLS[data],
});

/** js-yaml's failsafe schema (strings, sequences, mappings) with go-yaml v3's null, bool and numbers. */
export const KUSTOMIZE_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });
