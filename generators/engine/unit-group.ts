/**
 * Rendering and checking a group of units together: what a worker thread (or the main thread)
 * does with the units the engine hands it. Each unit is rendered, serialised,
 * hashed and checked; its sibling lookups (cross-object policies) are answered from the group
 * and recorded with a digest of what they returned, so the caller can tell whether the group
 * saw every sibling the whole render has (see engine.ts). Pure.
 */
import { hubView } from '../argocd/plan.js';
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { checkUnitObjects, type SiblingLookup, type UnitFinding } from '../check/check.js';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { bridgeErrorsOf, type ErrorDetails } from '../core/errors.js';
import { blobId, digestOf } from '../core/hash.js';
import { unitFiles } from './layout.js';
import { renderUnitObjects, type UnitInput } from './units.js';
import { toYaml } from './yaml.js';
import { objectTooLarge, overObjectLimit } from '../load/limits.js';

/** A sibling lookup a unit's check made: kind, namespace ('' for none), digest of the objects it got. */
export type SiblingRead = [kind: string, namespace: string, digest: string];

/** One unit, rendered and checked. */
export interface UnitResult {
  unit: string;
  /**
   * The input errors that stopped this unit, as plain data (a worker thread's errors cross to
   * the main thread as they are); lines inside overlay files are filled in by the engine, which
   * holds the line locators. Absent when the unit rendered.
   */
  errors?: ErrorDetails[];
  /** In name order: file name, content (null once written where it belongs: a first render's staging), blob id. */
  files: [string, string | null, string][];
  /** Per file, what the hub and sibling index need (argocd/plan.ts hubView). */
  views: KubeObject[];
  findings: UnitFinding[];
  reads: SiblingRead[];
  /** The objects, when rendered in this thread and asked for (Rendering.objects). */
  objects?: [string, RenderedObject][];
}

/** One entry of a sibling list: where the object is, its content, the object. */
export interface SiblingEntry {
  path: string;
  hash: string;
  object: KubeObject;
}

/** `<env>|<kind>|<namespace>`: the sibling index key (the check stage's). */
export const siblingKey = (env: string, kind: string, namespace: string | null | undefined) => `${env}|${kind}|${namespace ?? ''}`;

/** The digest a recorded read keeps of a sibling list: paths and contents, in order. */
export function siblingDigest(entries: readonly { path: string; hash: string }[]): string {
  return digestOf(entries.map((e) => `${e.path}:${e.hash}`));
}

/**
 * What every unit reading a sibling list gets from it, made once per list: its objects (the
 * same array for every unit of a group, so what a check derives from it, such as
 * check/policies/references-resolve.ts's index of pod templates by label, is derived once per
 * list, not per unit), its digest and where each object was rendered. Cross-object checks read
 * several kinds per namespace (a Service reads every kind that runs pods), mostly empty: one
 * digest per unit and read cost about a third of the check on 3,000 units.
 */
interface SiblingAnswer {
  objects: KubeObject[];
  digest: string;
  paths: Map<KubeObject, string>;
}
const answersOf = new WeakMap<readonly SiblingEntry[], SiblingAnswer>();
const NO_SIBLINGS: readonly SiblingEntry[] = [];
function siblingAnswer(list: readonly SiblingEntry[]): SiblingAnswer {
  let answer = answersOf.get(list);
  if (!answer) {
    answer = { objects: list.map((e) => e.object), digest: siblingDigest(list), paths: new Map(list.map((e) => [e.object, e.path])) };
    answersOf.set(list, answer);
  }
  return answer;
}

/**
 * A sibling lookup over `index` that records what it was asked and a digest of each answer.
 * `ensure` runs before each answer (the main thread's fix-up renders missing units there).
 * Its `pathOf` tells where an object it returned was rendered (a CRD named in a finding).
 */
export function recordingLookup(env: string, index: ReadonlyMap<string, SiblingEntry[]>, ensure?: (key: string) => void): { lookup: SiblingLookup; reads: () => SiblingRead[] } {
  const reads = new Map<string, SiblingRead>();
  const answers = new Map<string, SiblingAnswer>();
  const ask = (kind: string, namespace: string | undefined): KubeObject[] => {
    const key = siblingKey(env, kind, namespace);
    let answer = answers.get(key);
    if (!answer) {
      ensure?.(key);
      answer = siblingAnswer(index.get(key) ?? NO_SIBLINGS);
      answers.set(key, answer);
      reads.set(key, [kind, namespace ?? '', answer.digest]);
    }
    return answer.objects;
  };
  const pathOf = (object: KubeObject) => {
    for (const answer of answers.values()) {
      const path = answer.paths.get(object);
      if (path !== undefined) return path;
    }
    return undefined;
  };
  const lookup: SiblingLookup = Object.assign(ask, { pathOf });
  return { lookup, reads: () => [...reads.values()] };
}

/** Renders, serialises, hashes and checks `inputs` (units in render order, usually one environment's namespace). */
export function renderGroup(inputs: readonly UnitInput[], declared: DeclaredSchemas | undefined, keepObjects: boolean): UnitResult[] {
  const errors: (ErrorDetails[] | undefined)[] = [];
  const laidOut = inputs.map((input, i) => {
    try {
      return unitFiles(input.plan.unit, renderUnitObjects(input));
    } catch (e) {
      const found = bridgeErrorsOf(e);
      if (!found) throw e;
      errors[i] = found.map((x) => x.toJSON());
      return undefined;
    }
  });
  const index = new Map<string, SiblingEntry[]>();
  const serialised = laidOut.map((laid, i) => {
    if (!laid) return undefined;
    const { plan } = inputs[i]!;
    const files = laid.map(([name, entry]): [string, string, string] => {
      const content = toYaml(entry.object);
      if (overObjectLimit(content)) (errors[i] ??= []).push(objectTooLarge(`rendered/${plan.unit}/${name}`, content, entry.source).toJSON());
      return [name, content, blobId(content)];
    });
    if (errors[i]) {
      laidOut[i] = undefined;
      return undefined;
    }
    files.forEach(([name, , hash], j) => {
      const { object } = laid[j]![1];
      const key = siblingKey(plan.env, object.kind, object.metadata?.namespace);
      const list = index.get(key) ?? [];
      list.push({ path: `${plan.unit}/${name}`, hash, object });
      index.set(key, list);
    });
    return files as [string, string | null, string][];
  });
  return inputs.map((input, i): UnitResult => {
    const laid = laidOut[i];
    const files = serialised[i];
    if (!laid || !files) return { unit: input.plan.unit, errors: errors[i] ?? [], files: [], views: [], findings: [], reads: [] };
    const { lookup, reads } = recordingLookup(input.plan.env, index);
    const findings = checkUnitObjects(laid, { environment: input.env, ...(input.app && { app: input.app }) }, lookup, declared);
    return {
      unit: input.plan.unit,
      files,
      views: laid.map(([, r]) => hubView(r.object)),
      findings,
      reads: reads(),
      ...(keepObjects && { objects: laid }),
    };
  });
}
