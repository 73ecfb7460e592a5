/**
 * The check stage: rendered objects in, violations out. Every object is validated against the
 * Kubernetes schema of its kind (strictly), then as the API server validates it (names, labels,
 * quantities, ports, schedules...: api-server/), and run through the policies at the level its
 * environment sets; app exemptions lift what they name, never a schema or API-server finding.
 * Pure: no disk, no clock.
 *
 * Mandatory violations stop render and check before anything is written (checkErrors turns
 * them into BridgeErrors); advisory ones are warnings.
 */
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { BridgeError, BridgeErrors } from '../core/errors.js';
import { UNEXEMPTABLE } from '../core/secrets.js';
import { compareStrings } from '../core/strings.js';
import { appNamed } from '../load/app-index.js';
import type { AppExemption, AppInstance, EnvironmentInstance, Fleet } from '../load/fleet.js';
import type { DeclaredSchemas } from './declared-schemas.js';
import { API_RULE, validateApiObject } from './api-server/index.js';
import { validateKubernetesObject } from './kubernetes-schema.js';
import { RenderedCrds } from './rendered-crds.js';
import { POLICIES, type Finding, type PolicyContext, type PolicyLevel, type PolicySetting } from './policies/index.js';

/** The pseudo-policy of schema errors: always mandatory, never exempted. */
export const SCHEMA_POLICY = 'kubernetes-schema';
/** The pseudo-policy of what the API server refuses beyond the schema (api-server/): always mandatory, never exempted. */
export const API_POLICY = API_RULE;
/** The rules no environment turns off and no exemption lifts: the API server would refuse the object. */
export const API_SERVER_RULES: ReadonlySet<string> = new Set([SCHEMA_POLICY, API_POLICY]);

export interface Violation {
  /** A policy id, kubernetes-schema or kubernetes-api. */
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

/**
 * What the policies and the schema found in one object of a unit, before the main thread
 * locates it in the spec files and applies the app's exemptions: plain data, the same wherever
 * it is computed (a worker thread) and however long it is kept (the incremental cache).
 */
export interface UnitFinding {
  /** The file's name inside its unit directory. */
  file: string;
  kind: string;
  /** metadata.name (absent when the object has none). */
  name?: string;
  /** The spec file that produced the object (RenderedObject.source). */
  source: string;
  /** The line in `source` of the finding's place, where the object was written there (a Kustomize app's resource). */
  sourceLine?: number;
  policy: string;
  level: PolicyLevel;
  pointer: string;
  message: string;
  hint?: string;
  specPointer?: string;
}

/** What a unit's policies see besides its objects: its environment (none for the hub) and whether it is an app. */
export interface UnitCheckScope {
  environment?: PolicyContext['environment'];
  app?: PolicyContext['app'];
}

/**
 * Objects of the same environment, kind and namespace (see PolicyContext.siblings); `pathOf`
 * tells where one it returned was rendered (`<env>/<dir>/<file>`), to name the CRD a custom
 * resource was checked against.
 */
export type SiblingLookup = PolicyContext['siblings'] & { pathOf?(object: KubeObject): string | undefined };

/**
 * Checks the objects of one unit (file name, object, source), in order: Kubernetes schema first,
 * then every policy. Custom resources are checked against the environment's rendered CRDs,
 * read through `siblings` only when one needs them (rendered-crds.ts).
 */
export function checkUnitObjects(
  entries: readonly (readonly [string, RenderedObject])[],
  scope: UnitCheckScope,
  siblings: SiblingLookup,
  declared?: DeclaredSchemas,
): UnitFinding[] {
  const out: UnitFinding[] = [];
  const context: PolicyContext = {
    ...(scope.environment && { environment: scope.environment }),
    ...(scope.app && { app: scope.app }),
    siblings,
    own: entries.map(([, r]) => r.object),
  };
  const settings = scope.environment?.spec.policies as Record<string, PolicySetting> | undefined;
  const crds = new RenderedCrds(siblings);
  for (const [file, { object, source, lineOf }] of entries) {
    const base = { file, kind: object.kind, ...(object.metadata?.name !== undefined && { name: object.metadata.name }), source };
    const add = (policy: string, level: PolicyLevel, f: Finding) => {
      const sourceLine = lineOf?.(f.pointer);
      out.push({
        ...base,
        ...(sourceLine !== undefined && { sourceLine }),
        policy,
        level,
        pointer: f.pointer,
        message: f.message,
        ...(f.hint !== undefined && { hint: f.hint }),
        ...(f.specPointer !== undefined && { specPointer: f.specPointer }),
      });
    };
    const schema = validateKubernetesObject(object, declared, crds);
    for (const p of schema) add(SCHEMA_POLICY, 'mandatory', p);
    // One finding per place: where the schema found something, the API server's rules say nothing more.
    for (const p of validateApiObject(object)) if (!schema.some((s) => within(p.pointer, s.pointer))) add(API_POLICY, 'mandatory', p);
    for (const policy of POLICIES) {
      const setting: PolicySetting = settings?.[policy.id] ?? policy.level;
      if (setting === 'off') continue;
      for (const finding of policy.check(object, context)) add(policy.id, setting, finding);
    }
  }
  return out;
}

/** One unit's findings, for the report. */
export interface CheckedUnit {
  /** `<env>/<dir>`, or `argocd` (any path under rendered/ without its file name). */
  unit: string;
  /** Objects checked. */
  objects: number;
  findings: UnitFinding[];
}

/**
 * Checks one unit's objects on their own, as a render checks them (their sibling lookups see the
 * unit's objects), and reports as a render does: for objects no spec produced (tests, tools).
 * A render checks through the engine (engine/engine.ts), unit by unit with checkUnitObjects.
 */
export function checkUnit(unit: string, entries: readonly [string, RenderedObject][], fleet: Fleet, declared?: DeclaredSchemas): CheckReport {
  const env = fleet.environments.find((e) => e.name === unit.split('/')[0]);
  const scope: UnitCheckScope = env ? { environment: env, ...(appNamed(env, unit.slice(env.name.length + 1)) && { app: appNamed(env, unit.slice(env.name.length + 1))! }) } : {};
  const paths = new Map(entries.map(([file, r]) => [r.object, `${unit}/${file}`]));
  const lookup: SiblingLookup = Object.assign(
    (kind: string, namespace: string | undefined) => entries.map(([, r]) => r.object).filter((o) => o.kind === kind && (o.metadata?.namespace ?? '') === (namespace ?? '')),
    { pathOf: (o: KubeObject) => paths.get(o) },
  );
  return assembleReport([{ unit, objects: entries.length, findings: checkUnitObjects(entries, scope, lookup, declared) }], fleet);
}

/**
 * The report from every unit's findings (in render order): each finding located in the spec
 * file that produced it, exemptions applied, every exemption of every app in the render listed.
 */
export function assembleReport(units: readonly CheckedUnit[], fleet: Fleet): CheckReport {
  const envs = new Map(fleet.environments.map((e) => [e.name, e]));
  const violations: Violation[] = [];
  const applied = new Map<string, AppliedExemption>();
  let objects = 0;
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
  const scopes = units.map((u) => scopeOf(u.unit, envs));
  // Every exemption of every app in the render is listed, even one that lifted nothing.
  for (const [i, u] of units.entries()) {
    const scope = scopes[i]!;
    if (scope.app && u.objects > 0) for (const x of scope.app.exemptions) exemptionOf(scope, x);
  }
  for (const [i, u] of units.entries()) {
    const scope = scopes[i]!;
    objects += u.objects;
    for (const f of u.findings) {
      const resource = `${f.kind}/${f.name}`;
      const origin = originOf(scope.app, f);
      const v: Violation = {
        policy: f.policy,
        level: f.level,
        ...(scope.environment && { environment: scope.environment.name }),
        app: scope.dir,
        file: `rendered/${u.unit === '' ? '' : u.unit + '/'}${f.file}`,
        resource,
        pointer: f.pointer,
        source: origin.file,
        ...(origin.line !== undefined && { line: origin.line }),
        message: f.message,
        ...(f.hint !== undefined && { hint: f.hint }),
      };
      const exemption = API_SERVER_RULES.has(f.policy) || UNEXEMPTABLE.has(f.policy) ? undefined : scope.app?.exemptions.find((x) => x.policy === f.policy && (!x.resources || x.resources.includes(resource)));
      if (exemption) exemptionOf(scope, exemption).violations.push(v);
      else violations.push(v);
    }
  }

  violations.sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.pointer, b.pointer) || compareStrings(a.policy, b.policy));
  const exemptionsApplied = [...applied.values()].sort(
    (a, b) => compareStrings(a.app, b.app) || compareStrings(a.environment, b.environment) || compareStrings(a.file, b.file) || compareStrings(a.pointer, b.pointer),
  );
  return { violations, exemptionsApplied, objects };
}

interface Scope {
  environment?: EnvironmentInstance;
  app?: AppInstance;
  unit: string;
  dir: string;
}

/** Mandatory violations as errors that stop the render: the spec file and line first, then the rendered place. */
export function checkErrors(report: CheckReport): BridgeError[] {
  return report.violations.filter((v) => v.level === 'mandatory').map(violationError);
}

export function violationError(v: Violation): BridgeError {
  return new BridgeError({
    code: v.policy === SCHEMA_POLICY || v.policy === API_POLICY ? v.policy : 'policy',
    message: `[${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`,
    file: v.source,
    ...(v.line !== undefined && { line: v.line }),
    ...(v.hint !== undefined && { hint: v.hint }),
  });
}

/** What a refused render would have changed under rendered/ (the engine's FileChanges has these). */
export interface RefusedChanges {
  added: readonly string[];
  changed: readonly string[];
  removed: readonly string[];
}

/**
 * Thrown when mandatory violations remain; carries the whole report (and what the render would
 * have changed) for --format json.
 */
export class CheckFailed extends BridgeErrors {
  constructor(
    readonly report: CheckReport,
    readonly changes?: RefusedChanges,
  ) {
    super(checkErrors(report));
    this.name = 'CheckFailed';
  }
}

function scopeOf(unit: string, envs: Map<string, EnvironmentInstance>): Scope {
  const slash = unit.indexOf('/');
  const environment = slash > 0 ? envs.get(unit.slice(0, slash)) : undefined;
  if (!environment) return { unit, dir: unit };
  const dir = unit.slice(slash + 1);
  const app = appNamed(environment, dir);
  return { environment, ...(app && { app }), unit, dir };
}

/**
 * Which spec file produced a finding: an overlay patch whose operation touched the place, else
 * the file that set the spec field the policy names (overlay or base), else the object's source.
 */
function originOf(app: AppInstance | undefined, f: UnitFinding): { file: string; line?: number } {
  // A Kustomize or chart app's objects come from its own files: the finding's source names the one.
  if (app?.kind === 'spec') {
    let hit: { file: string; line?: number } | undefined;
    for (const patch of app.patches) {
      if (patch.target.kind !== f.kind || patch.target.name !== f.name) continue;
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
  return { file: f.source, ...(f.sourceLine !== undefined && { line: f.sourceLine }) };
}

/** Whether JSON pointer `inner` is `outer` or a place inside it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer === '/' ? '/' : outer + '/');
}

/** Whether two JSON pointers are the same place or one contains the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || b.startsWith(a + '/') || a.startsWith(b + '/') || a === '' || b === '';
}
