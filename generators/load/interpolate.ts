/**
 * `${...}` references in spec strings: `${env.name}`, `${env.domain}`, `${env.tier}`,
 * `${app.name}`, `${app.namespace}` and `${bridge.<key>}` for a key of the environment's
 * stack-outputs snapshot. `$${` is a literal `${`. Pure.
 */
import { BridgeError, pointerOf } from '../core/errors.js';
import { closest } from '../core/strings.js';

export interface InterpolationContext {
  variables: Record<string, string>;
  bridge: Record<string, string>;
  /** Describes an unknown reference: where it was written and which snapshot was searched. */
  unknown(ref: string, pointer: string): BridgeError;
}

const REF = /\$(\$?)\{([^}]*)\}/g;

export function interpolate<T>(value: T, ctx: InterpolationContext, at: (string | number)[] = []): T {
  if (typeof value === 'string') return interpolateString(value, ctx, pointerOf(at)) as T;
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, ctx, [...at, i])) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, ctx, [...at, k]);
    return out as T;
  }
  return value;
}

function interpolateString(s: string, ctx: InterpolationContext, pointer: string): string {
  if (!s.includes('${')) return s;
  return s.replace(REF, (_all, escaped: string, ref: string) => {
    if (escaped) return '${' + ref + '}';
    const name = ref.trim();
    if (name.startsWith('bridge.')) {
      const key = name.slice('bridge.'.length);
      const v = ctx.bridge[key];
      if (v === undefined) throw ctx.unknown(key, pointer);
      return v;
    }
    const v = ctx.variables[name];
    if (v === undefined) {
      const guess = closest(name, Object.keys(ctx.variables));
      throw new BridgeError({
        code: 'unknown-reference',
        message: `unknown reference \${${name}}`,
        pointer,
        hint: `${guess ? `did you mean \${${guess}}? ` : ''}known references: ${Object.keys(ctx.variables)
          .map((k) => '${' + k + '}')
          .join(', ')}, \${bridge.<key>}`,
      });
    }
    return v;
  });
}
