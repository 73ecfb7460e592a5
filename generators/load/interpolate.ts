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
  /**
   * Leave a `${...}` that is not `env.*`, `app.*` or `bridge.*` as written, instead of refusing
   * it: vendored manifests (a Kustomize app) hold shell and template `${VAR}`s of their own.
   */
  passThrough?: boolean;
}

const REF = /\$(\$?)\{([^}]*)\}/g;

export function interpolate<T>(value: T, ctx: InterpolationContext, at: (string | number)[] = []): T {
  // One path array, pushed and popped as the walk goes: the pointer is only built for an error.
  const path = [...at];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${') ? interpolateString(v, ctx, () => pointerOf(path)) : v;
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        out[i] = walk(v[i]);
        path.pop();
      }
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        path.push(k);
        out[k] = walk((v as Record<string, unknown>)[k]);
        path.pop();
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * The error for a `${bridge.<key>}` (or a structured bridge reference) that the environment's
 * snapshot does not have: the same for every kind of app. `pointer` is where it was written.
 */
export function unknownBridgeKey(key: string, pointer: string, app: string, env: string, outputs: Record<string, string>, snapshotFile: string): BridgeError {
  const guess = closest(key, Object.keys(outputs));
  return new BridgeError({
    code: 'unknown-bridge-key',
    message: `app "${app}" in environment "${env}" references bridge key "${key}", which ${snapshotFile} does not have`,
    pointer,
    hint: guess
      ? `did you mean "${guess}"?`
      : `export "${key}" from the Pulumi stack and refresh the snapshot with \`npm run infra:outputs -- --stack ${env}\``,
  });
}

function interpolateString(s: string, ctx: InterpolationContext, pointerAt: () => string): string {
  return s.replace(REF, (_all, escaped: string, ref: string) => {
    if (escaped) return '${' + ref + '}';
    const name = ref.trim();
    if (ctx.passThrough && !/^(bridge|env|app)\./.test(name)) return _all;
    if (name.startsWith('bridge.')) {
      const key = name.slice('bridge.'.length);
      const v = ctx.bridge[key];
      if (v === undefined) throw ctx.unknown(key, pointerAt());
      return v;
    }
    const v = ctx.variables[name];
    if (v === undefined) {
      const guess = closest(name, Object.keys(ctx.variables));
      throw new BridgeError({
        code: 'unknown-reference',
        message: `unknown reference \${${name}}`,
        pointer: pointerAt(),
        hint: `${guess ? `did you mean \${${guess}}? ` : ''}known references: ${Object.keys(ctx.variables)
          .map((k) => '${' + k + '}')
          .join(', ')}, \${bridge.<key>}`,
      });
    }
    return v;
  });
}
