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

/** A `${bridge.*}`, `${env.*}` or `${app.*}` reference (not `$${`, a literal): what a file that is not interpolated must not hold. */
const REFERENCE_FORM = /(?<!\$)\$\{\s*((?:bridge|env|app)\.[^}]*?)\s*\}/;

/** The first reference a string holds, as written inside its braces (`bridge.aws_region`), if any. */
export function referenceIn(s: string): string | undefined {
  return s.includes('${') ? REFERENCE_FORM.exec(s)?.[1] : undefined;
}

/**
 * The references in a document whose strings are not interpolated (an environment file,
 * manifests/argocd.yaml, exemptions.yaml...): each an error at its pointer, since it would reach
 * the cluster (or mislead a reader) as written. `skip` leaves out a subtree that is interpolated.
 */
export function uninterpolatedReferences(data: unknown, file: string, lineOf: (pointer: string) => number | undefined, what: string, skip?: string): BridgeError[] {
  const out: BridgeError[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (typeof v === 'string') {
      const ref = referenceIn(v);
      if (ref === undefined) return;
      const pointer = pointerOf(path);
      out.push(
        new BridgeError({
          code: 'unknown-reference',
          message: `\${${ref}} in ${what}, where references are not resolved: it would be used as written`,
          file,
          pointer,
          line: lineOf(pointer),
          hint: 'references resolve in app specs (app.yaml, overlays and their patches) and in the YAML files of a Kustomize app; write the value itself here, or move it to the app that needs it (write $${ for a literal ${)',
        }),
      );
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const next = [...path, Array.isArray(v) ? Number(k) : k];
        if (skip === undefined || pointerOf(next) !== skip) walk(child, next);
      }
    }
  };
  walk(data, []);
  return out;
}
