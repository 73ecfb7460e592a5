/**
 * The render the CLI runs: every unit keyed on everything it depends on, unchanged units taken
 * from a cache, the others rendered and checked by an executor (worker threads, or this thread),
 * the hub planned from all of them, and the check report assembled. Same bytes and same report
 * as renderFleet + checkRendered, with or without the cache (test/render/incremental.test.ts).
 *
 * A unit's key covers its input (the environment as units read it: spec, snapshot, file names,
 * every app's name, namespace and team; for an app its resolved instance with overlay patches),
 * its place, and `codeKey` (generator code, schemas, library versions, declared CRD schemas,
 * computed by the caller). A unit's check findings also depend on other units' objects through
 * sibling lookups (a PodDisruptionBudget for a Deployment): each lookup is recorded with a digest
 * of what it returned, and a unit whose lookups would now return something else is checked again.
 *
 * Pure apart from what the cache and executor interfaces do; no clock.
 */
import { ARGOCD_UNIT, type RenderedUnit } from '../argocd/index.js';
import { hubView } from '../argocd/plan.js';
import type { KubeObject } from '../charts/object.js';
import { assembleReport, checkUnitObjects, type CheckedUnit, type CheckReport, type UnitFinding } from '../check/check.js';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { ErrorSink } from '../core/errors.js';
import { blobId, digest, digestOf } from '../core/hash.js';
import type { Fleet } from '../load/fleet.js';
import { toYaml } from './yaml.js';
import { recordingLookup, renderGroup, siblingDigest, siblingKey, type SiblingEntry, type SiblingRead, type UnitResult } from './unit-group.js';
import { renderHub, summarise, type RenderResult } from '../render/pipeline.js';
import { layOutUnit, planUnits, renderUnitObjects, unitInputs, type RenderedObject, type Selection, type UnitInput, type UnitPlan } from './units.js';

/** A unit's result as the cache keeps it: hashes, not contents (rendered/ holds those). */
export interface UnitRecord {
  /** In name order: file name, blob id. */
  files: [string, string][];
  /** Per file, the object's hub view (kind, namespace... see argocd/plan.ts hubView). */
  views: KubeObject[];
  findings: UnitFinding[];
  reads: SiblingRead[];
}

/** Where unit records are kept between runs (generators/render/unit-cache.ts keeps them on disk). */
export interface UnitCache {
  /** The record stored for this unit under this key, if it can be used. */
  get(unit: string, key: string): UnitRecord | undefined;
  set(unit: string, key: string, record: UnitRecord): void;
}

/** Renders and checks groups of units: in worker threads, or in this thread (renderGroup). */
export interface UnitExecutor {
  /** Results of every unit of every group, in any order; `done` is called with results as they come. */
  run(groups: UnitInput[][], declaredSources: [string, string][], done: (results: UnitResult[]) => void): Promise<UnitResult[]>;
}

/** Renders in this thread. */
export const inProcessExecutor = (declared: DeclaredSchemas | undefined): UnitExecutor => ({
  async run(groups, _sources, done) {
    const out: UnitResult[] = [];
    for (const group of groups) {
      const results = renderGroup(group, declared, true);
      out.push(...results);
      done(results);
      // Let timers run (the progress bar) between groups.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  },
});

export interface IncrementalOptions {
  cache?: UnitCache;
  /** Digest of everything besides the fleet that output depends on (code, schemas, libraries). */
  codeKey: string;
  executor: UnitExecutor;
  declared?: DeclaredSchemas;
  /** schemas/crds/ sources, for executors that build their own DeclaredSchemas (workers). */
  declaredSources?: [string, string][];
  /** Units done out of the total, as they finish. */
  progress?: (done: number, total: number) => void;
  /** Each file of the hub (argocd/) as it is rendered (path under rendered/, content), for a caller staging a first render. */
  hubRendered?: (path: string, content: string) => void;
}

export interface IncrementalRender {
  /** `files` holds the contents of the units rendered in this run (and argocd/), not of cached ones; `rendered` is absent. */
  result: RenderResult;
  /** Every file of the render: path under rendered/ -> blob id. */
  hashes: Map<string, string>;
  check: CheckReport;
  /** Units, how many came from the cache, how many had their check redone for a changed sibling; whether the hub (argocd/) came from the cache. */
  stats: { units: number; cached: number; rendered: number; rechecked: number; hubCached: boolean };
}

export async function renderIncremental(fleet: Fleet, selection: Selection, o: IncrementalOptions): Promise<IncrementalRender> {
  const { plans, environments } = planUnits(fleet, selection);
  const inputs = unitInputs(fleet, plans);
  const keys = unitKeys(inputs, o.codeKey);

  const records = new Map<string, UnitRecord>();
  const missing: number[] = [];
  plans.forEach((plan, i) => {
    const record = o.cache?.get(plan.unit, keys[i]!);
    if (record) records.set(plan.unit, record);
    else missing.push(i);
  });

  // Render what is missing, grouped by environment and namespace (where sibling lookups look).
  const portable = unitInputs(fleet, missing.map((i) => plans[i]!), true);
  const groups = groupUnits(portable);
  let done = records.size;
  o.progress?.(done, plans.length);
  const results = await o.executor.run(groups, o.declaredSources ?? [], (batch) => o.progress?.((done += batch.length), plans.length));
  const fresh = new Map(results.map((r) => [r.unit, r]));

  // A unit that failed is rendered again here, with its line locators, for the errors.
  const failed = missing.filter((i) => !fresh.get(plans[i]!.unit)?.ok);
  if (failed.length > 0) {
    const errors = new ErrorSink();
    for (const i of failed) errors.guard(() => layOutUnit(plans[i]!.unit, renderUnitObjects(inputs[i]!)));
    errors.throwIfAny();
    throw new Error(`internal error: ${plans[failed[0]!]!.unit} failed in a worker but rendered here`);
  }
  for (const i of missing) {
    const r = fresh.get(plans[i]!.unit)!;
    const record: UnitRecord = { files: r.files.map(([name, , hash]) => [name, hash]), views: r.views, findings: r.findings, reads: r.reads };
    records.set(plans[i]!.unit, record);
  }

  // Sibling lookups: every unit's recorded reads against what the whole render holds.
  const global = siblingLists(plans, records);
  const rechecked = recheckStale(plans, inputs, records, global, o.declared, fresh);
  for (const i of new Set([...missing, ...rechecked])) o.cache?.set(plans[i]!.unit, keys[i]!, records.get(plans[i]!.unit)!);

  const files = new Map<string, string>();
  const hashes = new Map<string, string>();
  const checked: CheckedUnit[] = [];
  const hub: RenderedUnit[] = [];
  for (const plan of plans) {
    const record = records.get(plan.unit)!;
    const r = fresh.get(plan.unit);
    record.files.forEach(([name, hash], i) => {
      hashes.set(`${plan.unit}/${name}`, hash);
      const content = r?.files[i]![1];
      if (content != null) files.set(`${plan.unit}/${name}`, content);
    });
    checked.push({ unit: plan.unit, objects: record.files.length, findings: record.findings });
    hub.push({ environment: plan.env, directory: plan.dir, objects: record.views });
  }

  // The hub: keyed on what it reads (manifests/argocd.yaml, the environments, every unit's hub
  // views), so a change inside an app leaves it cached.
  const complete = !selection.environments && !selection.apps;
  let hubCached = false;
  if (complete && fleet.argocd) {
    const key = digestOf([o.codeKey, ARGOCD_UNIT, JSON.stringify(fleet.argocd), ...[...new Set(inputs.map((i) => i.env))].map((e) => JSON.stringify(e)), JSON.stringify(hub)]);
    let record = o.cache?.get(ARGOCD_UNIT, key);
    hubCached = record !== undefined;
    if (!record) {
      const argocd = renderHub(fleet, hub)!;
      const hubFiles: [string, string][] = [];
      for (const [name, entry] of argocd) {
        const content = toYaml(entry.object);
        o.hubRendered?.(`${ARGOCD_UNIT}/${name}`, content);
        files.set(`${ARGOCD_UNIT}/${name}`, content);
        hubFiles.push([name, blobId(content)]);
      }
      record = { files: hubFiles, views: argocd.map(([, r]) => hubView(r.object)), findings: checkUnitObjects(argocd, {}, () => [], o.declared), reads: [] };
      o.cache?.set(ARGOCD_UNIT, key, record);
    }
    for (const [name, hash] of record.files) hashes.set(`${ARGOCD_UNIT}/${name}`, hash);
    checked.push({ unit: ARGOCD_UNIT, objects: record.files.length, findings: record.findings });
  }
  const check = assembleReport(checked, fleet);
  return {
    result: { files, ...summarise(plans, environments, complete, complete && fleet.argocd !== undefined, hashes.size) },
    hashes,
    check,
    stats: { units: plans.length, cached: plans.length - missing.length, rendered: missing.length, rechecked: rechecked.length, hubCached },
  };
}

/** Each unit's cache key: its input, its place, and the code. */
export function unitKeys(inputs: readonly UnitInput[], codeKey: string): string[] {
  const envKeys = new Map<string, string>();
  return inputs.map((input) => {
    let envKey = envKeys.get(input.env.name);
    if (envKey === undefined) {
      envKey = digest(JSON.stringify(input.env));
      envKeys.set(input.env.name, envKey);
    }
    const app = input.app && { ...input.app, patches: input.app.patches.map(({ lineOf: _locator, ...p }) => p) };
    return digest(codeKey, envKey, input.plan.kind, input.plan.unit, app ? JSON.stringify(app) : '');
  });
}

/**
 * Units grouped by environment and app namespace, each group in render order: a group holds
 * every unit whose objects a sibling lookup in its namespace normally needs.
 */
function groupUnits(inputs: UnitInput[]): UnitInput[][] {
  const groups = new Map<string, UnitInput[]>();
  for (const input of inputs) {
    const key = `${input.plan.env}|${input.app ? `ns:${input.app.namespace}` : `unit:${input.plan.dir}`}`;
    const group = groups.get(key) ?? [];
    group.push(input);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `<env>|<kind>|<namespace>` -> every object of the render there, in render order (paths and hashes). */
function siblingLists(plans: UnitPlan[], records: Map<string, UnitRecord>): Map<string, { path: string; hash: string; unit: string }[]> {
  const lists = new Map<string, { path: string; hash: string; unit: string }[]>();
  for (const plan of plans) {
    const record = records.get(plan.unit)!;
    record.files.forEach(([name, hash], i) => {
      const view = record.views[i]!;
      const key = siblingKey(plan.env, view.kind, view.metadata?.namespace);
      const list = lists.get(key) ?? [];
      list.push({ path: `${plan.unit}/${name}`, hash, unit: plan.unit });
      lists.set(key, list);
    });
  }
  return lists;
}

/**
 * Checks again, here, every unit a sibling lookup of which now returns something else (a unit
 * of its namespace changed, or its group lacked a sibling): the units its lookups need are
 * rendered here as they are asked for. Returns the indexes of the units rechecked; their records are replaced.
 */
function recheckStale(
  plans: UnitPlan[],
  inputs: UnitInput[],
  records: Map<string, UnitRecord>,
  global: Map<string, { path: string; hash: string; unit: string }[]>,
  declared: DeclaredSchemas | undefined,
  fresh: Map<string, UnitResult>,
): number[] {
  const digests = new Map<string, string>();
  const globalDigest = (key: string) => {
    let d = digests.get(key);
    if (d === undefined) {
      d = siblingDigest(global.get(key) ?? []);
      digests.set(key, d);
    }
    return d;
  };
  const stale = plans.flatMap((plan, i) => (records.get(plan.unit)!.reads.some(([kind, ns, d]) => globalDigest(siblingKey(plan.env, kind, ns)) !== d) ? [i] : []));
  if (stale.length === 0) return stale;

  const byUnit = new Map(plans.map((p, i) => [p.unit, i]));
  const laidOut = new Map<string, [string, RenderedObject][]>();
  const objectsOf = (unit: string) => {
    let laid = laidOut.get(unit);
    if (!laid) {
      const objects = fresh.get(unit)?.objects;
      laid = objects ?? layOutUnit(unit, renderUnitObjects(inputs[byUnit.get(unit)!]!));
      laidOut.set(unit, laid);
    }
    return laid;
  };
  const index = new Map<string, SiblingEntry[]>();
  const ensure = (key: string) => {
    if (index.has(key)) return;
    index.set(
      key,
      (global.get(key) ?? []).map(({ path, hash, unit }) => {
        const name = path.slice(unit.length + 1);
        const object = objectsOf(unit).find(([n]) => n === name)![1].object;
        return { path, hash, object };
      }),
    );
  };
  for (const i of stale) {
    const plan = plans[i]!;
    const input = inputs[i]!;
    const { lookup, reads } = recordingLookup(plan.env, index, ensure);
    const findings = checkUnitObjects(objectsOf(plan.unit), { environment: input.env, ...(input.app && { app: input.app }) }, lookup, declared);
    records.set(plan.unit, { ...records.get(plan.unit)!, findings, reads: reads() });
  }
  return stale;
}
