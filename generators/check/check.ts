/**
 * The check stage: rendered objects in, violations out. Every object is validated against the
 * Kubernetes schema of its kind (strictly) and run through the policies at the level its
 * environment sets; app exemptions lift what they name. Pure: no disk, no clock.
 *
 * Mandatory violations stop render and check before anything is written (checkErrors turns
 * them into BridgeErrors); advisory ones are warnings.
 */
import yaml from 'js-yaml';
import type { KubeObject } from '../charts/object.js';
import { BridgeError, BridgeErrors } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import type { AppExemption, AppInstance, EnvironmentInstance, Fleet } from '../load/fleet.js';
import type { RenderedObject, RenderResult } from '../render/pipeline.js';
import type { FileChanges } from '../write/diff.js';
import type { DeclaredSchemas } from './declared-schemas.js';
import { validateKubernetesObject } from './kubernetes-schema.js';
import { POLICIES, type Finding, type PolicyContext, type PolicyLevel, type PolicySetting } from './policies/index.js';

/** The pseudo-policy of schema errors: always mandatory, never exempted. */
export const SCHEMA_POLICY = 'kubernetes-schema';

export interface Violation {
  /** A policy id, or kubernetes-schema. */
  policy: string;
  level: PolicyLevel;
  /** Undefined for hub objects (rendered/argocd/). */
  environment?: string;
  /** The unit directory: an app, cluster-metadata, namespaces, or argocd. */
  app: string;
  /** The rendered file, from the project root. */
  file: string;
  /** Kind/name of the object. */
  resource: string;
  /** JSON pointer into the rendered object. */
  pointer: string;
  /** The spec file that produced it: the overlay (or its patch) when that is where it was set. */
  source: string;
  /** Line in `source`, where known. */
  line?: number;
  message: string;
  hint?: string;
}

export interface AppliedExemption {
  policy: string;
  reason: string;
  environment: string;
  app: string;
  /** The exemptions file and the entry in it. */
  file: string;
  pointer: string;
  line?: number;
  resources?: string[];
  /** What it lifted in this render (empty: it matched nothing). */
  violations: Violation[];
}

export interface CheckReport {
  /** Violations not covered by an exemption, mandatory and advisory, in file order. */
  violations: Violation[];
  /** Every exemption in scope of the render, with what it lifted. */
  exemptionsApplied: AppliedExemption[];
  /** Objects checked. */
  objects: number;
}

interface Scope {
  environment?: EnvironmentInstance;
  app?: AppInstance;
  unit: string;
  dir: string;
}

/** Checks every rendered object of `result` (see RenderResult.rendered). */
export function checkRendered(result: RenderResult, fleet: Fleet, declared?: DeclaredSchemas): CheckReport {
  const rendered = result.rendered ?? parseFiles(result.files);
  const envs = new Map(fleet.environments.map((e) => [e.name, e]));
  /** `<env>|<kind>|<namespace>` -> objects, for policies that look across objects. */
  const siblings = new Map<string, KubeObject[]>();
  const scopes = new Map<string, Scope>();
  for (const [path, { object }] of rendered) {
    const scope = scopeOf(path, envs);
    scopes.set(path, scope);
    if (scope.environment) {
      const key = `${scope.environment.name}|${object.kind}|${object.metadata?.namespace ?? ''}`;
      const list = siblings.get(key) ?? [];
      list.push(object);
      siblings.set(key, list);
    }
  }

  const violations: Violation[] = [];
  const applied = new Map<string, AppliedExemption>();
  const exemptionOf = (scope: Scope, x: AppExemption): AppliedExemption => {
    const key = `${scope.environment!.name}|${x.file}|${x.pointer}`;
    let a = applied.get(key);
    if (!a) {
      a = {
        policy: x.policy,
        reason: x.reason,
        environment: scope.environment!.name,
        app: scope.app!.name,
        file: x.file,
        pointer: x.pointer,
        ...(x.line !== undefined && { line: x.line }),
        ...(x.resources && { resources: x.resources }),
        violations: [],
      };
      applied.set(key, a);
    }
    return a;
  };
  // Every exemption of every app in the render is listed, even one that lifted nothing.
  for (const scope of new Map([...scopes.values()].filter((s) => s.app).map((s) => [s.unit, s])).values()) {
    for (const x of scope.app!.exemptions) exemptionOf(scope, x);
  }

  for (const [path, entry] of rendered) {
    const scope = scopes.get(path)!;
    const object = entry.object;
    const resource = `${object.kind}/${object.metadata?.name}`;
    const make = (policy: string, level: PolicyLevel, f: Finding): Violation => {
      const origin = originOf(scope.app, entry, object, f);
      return {
        policy,
        level,
        ...(scope.environment && { environment: scope.environment.name }),
        app: scope.dir,
        file: `rendered/${path}`,
        resource,
        pointer: f.pointer,
        source: origin.file,
        ...(origin.line !== undefined && { line: origin.line }),
        message: f.message,
        ...(f.hint !== undefined && { hint: f.hint }),
      };
    };

    for (const p of validateKubernetesObject(object, declared)) violations.push(make(SCHEMA_POLICY, 'mandatory', p));

    const context: PolicyContext = {
      ...(scope.environment && { environment: scope.environment }),
      ...(scope.app && { app: scope.app }),
      siblings: (kind, namespace) => (scope.environment ? siblings.get(`${scope.environment.name}|${kind}|${namespace ?? ''}`) ?? [] : []),
    };
    for (const policy of POLICIES) {
      const setting: PolicySetting = (scope.environment?.spec.policies as Record<string, PolicySetting> | undefined)?.[policy.id] ?? policy.level;
      if (setting === 'off') continue;
      for (const finding of policy.check(object, context)) {
        const v = make(policy.id, setting, finding);
        const exemption = scope.app?.exemptions.find((x) => x.policy === policy.id && (!x.resources || x.resources.includes(resource)));
        if (exemption) exemptionOf(scope, exemption).violations.push(v);
        else violations.push(v);
      }
    }
  }

  violations.sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.pointer, b.pointer) || compareStrings(a.policy, b.policy));
  const exemptionsApplied = [...applied.values()].sort(
    (a, b) => compareStrings(a.app, b.app) || compareStrings(a.environment, b.environment) || compareStrings(a.file, b.file) || compareStrings(a.pointer, b.pointer),
  );
  return { violations, exemptionsApplied, objects: rendered.size };
}

/** Mandatory violations as errors that stop the render: the spec file and line first, then the rendered place. */
export function checkErrors(report: CheckReport): BridgeError[] {
  return report.violations.filter((v) => v.level === 'mandatory').map(violationError);
}

export function violationError(v: Violation): BridgeError {
  return new BridgeError({
    code: v.policy === SCHEMA_POLICY ? 'kubernetes-schema' : 'policy',
    message: `[${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`,
    file: v.source,
    ...(v.line !== undefined && { line: v.line }),
    ...(v.hint !== undefined && { hint: v.hint }),
  });
}

/**
 * Thrown when mandatory violations remain; carries the whole report (and what the render would
 * have changed) for --format json.
 */
export class CheckFailed extends BridgeErrors {
  constructor(
    readonly report: CheckReport,
    readonly changes?: FileChanges,
  ) {
    super(checkErrors(report));
    this.name = 'CheckFailed';
  }
}

function scopeOf(path: string, envs: Map<string, EnvironmentInstance>): Scope {
  const parts = path.split('/');
  const environment = parts.length >= 3 ? envs.get(parts[0]!) : undefined;
  if (!environment) return { unit: parts.length > 1 ? parts[0]! : '', dir: parts.length > 1 ? parts[0]! : '' };
  const dir = parts[1]!;
  const app = environment.apps.find((a) => a.name === dir);
  return { environment, ...(app && { app }), unit: `${parts[0]}/${dir}`, dir };
}

/**
 * Which spec file produced a finding: an overlay patch whose operation touched the place, else
 * the file that set the spec field the policy names (overlay or base), else the object's source.
 */
function originOf(app: AppInstance | undefined, entry: RenderedObject, object: KubeObject, f: Finding): { file: string; line?: number } {
  if (app) {
    let hit: { file: string; line?: number } | undefined;
    for (const patch of app.patches) {
      if (patch.target.kind !== object.kind || patch.target.name !== object.metadata?.name) continue;
      patch.operations.forEach((op, i) => {
        const touched = [op.path, ...(op.from !== undefined ? [op.from] : [])];
        if (touched.some((p) => overlaps(p, f.pointer))) {
          const at = `${patch.pointer}/operations/${i}`;
          hit = { file: patch.file, line: patch.lineOf(at) };
        }
      });
    }
    if (hit) return hit;
    if (f.specPointer !== undefined && app.specOrigin) return app.specOrigin(f.specPointer);
  }
  return { file: entry.source };
}

/** Whether two JSON pointers are the same place or one contains the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || b.startsWith(a + '/') || a.startsWith(b + '/') || a === '' || b === '';
}

/** RenderResults built without objects (tests, older callers): parse the files back. */
function parseFiles(files: Map<string, string>): Map<string, RenderedObject> {
  const out = new Map<string, RenderedObject>();
  for (const [path, text] of files) {
    if (/\.ya?ml$/.test(path)) out.set(path, { object: yaml.load(text) as KubeObject, source: path });
  }
  return out;
}
