/**
 * The render engine: the one path from a Fleet to rendered files and their check report. Every
 * command (render, check, diff, rendered-commit) renders through it, and so do the tests, whose
 * reference is this engine with no cache and the in-process executor.
 *
 * Every unit (engine/units.ts) is keyed on everything its output depends on; a unit whose key
 * the cache holds is not rendered again, the others go to an executor (this thread, or worker
 * threads) in groups; the hub (argocd/) is planned from all of them, and the check report
 * assembled. The same bytes and the same report come out with or without the cache and whoever
 * renders (test/render/incremental.test.ts).
 *
 * A unit's key covers its input (the environment as units read it: spec, snapshot, file names,
 * every app's name, namespace and team; for an app its resolved instance with overlay patches),
 * its place, and `codeKey` (generator code, schemas, library versions, declared CRD schemas,
 * computed by the workspace). A unit's check findings also depend on other units' objects through
 * sibling lookups (a PodDisruptionBudget for a Deployment, the environment's CRDs for a custom
 * resource: check/rendered-crds.ts): each lookup is recorded with a digest
 * of what it returned, and a unit whose lookups would now return something else is checked again.
 *
 * Pure: no file system, no clock. What it needs from outside comes through EngineDeps, plain
 * interfaces: the unit cache, the executor, a progress meter and a sink for the files it makes.
 */
import { ARGOCD_UNIT, argocdObjects, withSyncWave, type RenderedUnit } from '../argocd/index.js';
import { hubView } from '../argocd/plan.js';
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { assembleReport, checkUnitObjects, type CheckedUnit, type CheckReport, type UnitFinding } from '../check/check.js';
import type { DeclaredSchemas } from '../check/declared-schemas.js';
import { BridgeError, ErrorSink, type ErrorDetails } from '../core/errors.js';
import { blobId, digest, digestOf } from '../core/hash.js';
import type { Fleet } from '../load/fleet.js';
import { clashErrors, findClashes, siteOf, type ClashSide } from './clashes.js';
import { unitFiles } from './layout.js';
import { recordingLookup, renderGroup, siblingDigest, siblingKey, type SiblingEntry, type SiblingRead, type UnitResult } from './unit-group.js';
import { planUnits, renderUnitObjects, unitInputs, type Selection, type UnitApp, type UnitInput, type UnitPlan } from './units.js';
import { toYaml } from './yaml.js';

/** A unit's result as the cache keeps it: hashes, not contents (rendered/ holds those). */
export interface UnitRecord {
  /** In name order: file name, blob id. */
  files: [string, string][];
  /** Per file, the object's hub view (kind, namespace... see argocd/plan.ts hubView). */
  views: KubeObject[];
  findings: UnitFinding[];
  reads: SiblingRead[];
}

/** Where unit records are kept between runs (workspace/unit-cache.ts keeps them on disk). */
export interface UnitCache {
  /** The record stored for this unit under this key, if it can be used. */
  get(unit: string, key: string): UnitRecord | undefined;
  set(unit: string, key: string, record: UnitRecord): void;
}

/** Told of units as executors finish them. */
export interface UnitProgress {
  unitsDone(results: readonly UnitResult[]): void;
}

/** Renders and checks groups of units: in this thread (inProcessExecutor), or in worker threads. */
export interface UnitExecutor {
  /** Results of every unit of every group, in any order; `progress` hears of results as they come. */
  run(groups: UnitInput[][], progress: UnitProgress): Promise<UnitResult[]>;
}

/** Where the files a render makes go as they are made (a first render's staging, workspace/stage.ts). */
export interface FileSink {
  add(path: string, content: string): void;
}

/** Units done out of the total (a progress bar). */
export interface ProgressMeter {
  update(done: number, total: number): void;
}

/**
 * Renders in this thread. `keepObjects`: keep each rendered unit's objects (Rendering.rendered),
 * for callers that look at objects rather than files (tests, the bench's floor). The CLI renders
 * through threads/workers.ts, which also stages a first render's files.
 */
export function inProcessExecutor(declared: DeclaredSchemas | undefined, options: { keepObjects?: boolean } = {}): UnitExecutor {
  return {
    async run(groups, progress) {
      const out: UnitResult[] = [];
      for (const group of groups) {
        const results = renderGroup(group, declared, options.keepObjects ?? false);
        out.push(...results);
        progress.unitsDone(results);
        // Let timers run (the progress bar) between groups.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}

export interface EngineDeps {
  executor: UnitExecutor;
  /** Digest of everything besides the fleet that output depends on (code, schemas, libraries, declared CRDs). */
  codeKey: string;
  cache?: UnitCache;
  declared?: DeclaredSchemas;
  progress?: ProgressMeter;
  /** Gets the hub's files (argocd/) as they are made; the executor passes on the units' own. */
  sink?: FileSink;
}

/** What a render covers and counts. */
export interface RenderSummary {
  /** The units (directories under rendered/) this render owns; files outside them are left alone. */
  units: Set<string>;
  /** Whether the whole of rendered/ was rendered (no filter): then every other file is stale. */
  complete: boolean;
  environments: string[];
  /** Each rendered environment's tier (production, ...): what the diff's risk flags weigh. */
  tiers: Record<string, string>;
  /** Distinct apps rendered, and app deployments (an app in one environment). */
  apps: number;
  deployments: number;
  objects: number;
}

export interface RenderStats {
  units: number;
  /** Taken from the cache. */
  cached: number;
  rendered: number;
  /** Checked again for a changed sibling. */
  rechecked: number;
  /** Whether the hub (argocd/) came from the cache. */
  hubCached: boolean;
}

/**
 * A render: every file's blob id, in render order, and the contents of the files made in this
 * run (a cached unit's files are in rendered/, which the cache vouched holds them: see the
 * workspace's contentOf). Plain data, what render writes, check compares, diff reads and
 * rendered-commit commits.
 */
export interface Rendering extends RenderSummary {
  /** Path under rendered/ -> blob id. */
  files: Map<string, string>;
  /** Path under rendered/ -> content, for the files made in this run. */
  contents: Map<string, string>;
  /** Path under rendered/ -> object and source, for the units made in this thread with an executor that keeps them. */
  rendered: Map<string, RenderedObject>;
  check: CheckReport;
  stats: RenderStats;
}

export async function renderFleet(fleet: Fleet, selection: Selection, deps: EngineDeps): Promise<Rendering> {
  const { plans, environments } = planUnits(fleet, selection);
  const inputs = unitInputs(fleet, plans);
  const keys = unitKeys(inputs, deps.codeKey);

  const records = new Map<string, UnitRecord>();
  const missing: number[] = [];
  plans.forEach((plan, i) => {
    const record = deps.cache?.get(plan.unit, keys[i]!);
    if (record) records.set(plan.unit, record);
    else missing.push(i);
  });

  // Render what is missing, grouped by environment and namespace (where sibling lookups look).
  const portable = unitInputs(fleet, missing.map((i) => plans[i]!), true);
  let done = records.size;
  deps.progress?.update(done, plans.length);
  const results = await deps.executor.run(groupUnits(portable), { unitsDone: (batch) => deps.progress?.update((done += batch.length), plans.length) });
  const fresh = new Map(results.map((r) => [r.unit, r]));

  // Units that failed: their errors, located in the overlay files by this thread's line locators.
  const errors = new ErrorSink();
  for (const i of missing) for (const e of fresh.get(plans[i]!.unit)?.errors ?? []) errors.add(located(e, inputs[i]!));
  errors.throwIfAny();
  for (const i of missing) {
    const r = fresh.get(plans[i]!.unit);
    if (!r) throw new Error(`internal error: the executor returned no result for ${plans[i]!.unit}`);
    records.set(plans[i]!.unit, { files: r.files.map(([name, , hash]) => [name, hash]), views: r.views, findings: r.findings, reads: r.reads });
  }

  // A unit's objects laid out, for the checks below that need more than its record: rendered
  // here again for a unit from the cache (or from a thread that kept none).
  const byUnit = new Map(plans.map((p, i) => [p.unit, i]));
  const laidOut = new Map<string, [string, RenderedObject][]>();
  const objectsOf = (unit: string) => {
    let laid = laidOut.get(unit);
    if (!laid) {
      laid = fresh.get(unit)?.objects ?? unitFiles(unit, renderUnitObjects(inputs[byUnit.get(unit)!]!));
      laidOut.set(unit, laid);
    }
    return laid;
  };

  // Two apps of an environment rendering one object, or claiming one ingress host and path.
  const clashes = findClashes(plans.map((plan) => ({ plan, views: records.get(plan.unit)!.views })));
  clashErrors(clashes, (side: ClashSide) => siteOf(side, objectsOf(side.plan.unit)[side.index]![1], inputs[byUnit.get(side.plan.unit)!]!.app)).forEach((e) => errors.add(e));
  errors.throwIfAny();

  // Sibling lookups: every unit's recorded reads against what the whole render holds.
  const global = siblingLists(plans, records);
  const rechecked = recheckStale(plans, records, global, deps.declared, objectsOf, (i) => inputs[i]!);
  for (const i of new Set([...missing, ...rechecked])) deps.cache?.set(plans[i]!.unit, keys[i]!, records.get(plans[i]!.unit)!);

  const files = new Map<string, string>();
  const contents = new Map<string, string>();
  const rendered = new Map<string, RenderedObject>();
  const checked: CheckedUnit[] = [];
  const hub: RenderedUnit[] = [];
  for (const plan of plans) {
    const record = records.get(plan.unit)!;
    const r = fresh.get(plan.unit);
    record.files.forEach(([name, hash], i) => {
      const path = `${plan.unit}/${name}`;
      files.set(path, hash);
      const content = r?.files[i]![1];
      if (content != null) contents.set(path, content);
      const object = r?.objects?.[i]?.[1];
      if (object) rendered.set(path, object);
    });
    checked.push({ unit: plan.unit, objects: record.files.length, findings: record.findings });
    hub.push({ environment: plan.env, directory: plan.dir, objects: record.views });
  }

  // The hub: only a complete render writes it (it describes every environment). Keyed on what it
  // reads (manifests/argocd.yaml, the environments, every unit's hub views), so a change inside
  // an app leaves it cached.
  const complete = !selection.environments && !selection.apps;
  let hubCached = false;
  if (complete && fleet.argocd) {
    const key = digestOf([deps.codeKey, ARGOCD_UNIT, JSON.stringify(fleet.argocd), ...[...new Set(inputs.map((i) => i.env))].map((e) => JSON.stringify(e)), JSON.stringify(hub)]);
    let record = deps.cache?.get(ARGOCD_UNIT, key);
    hubCached = record !== undefined;
    if (!record) {
      const argocd = hubFiles(fleet, hub);
      const laid: [string, string][] = [];
      for (const [name, entry] of argocd) {
        const path = `${ARGOCD_UNIT}/${name}`;
        const content = toYaml(entry.object);
        deps.sink?.add(path, content);
        contents.set(path, content);
        rendered.set(path, entry);
        laid.push([name, blobId(content)]);
      }
      record = { files: laid, views: argocd.map(([, r]) => hubView(r.object)), findings: checkUnitObjects(argocd, {}, () => [], deps.declared), reads: [] };
      deps.cache?.set(ARGOCD_UNIT, key, record);
    }
    for (const [name, hash] of record.files) files.set(`${ARGOCD_UNIT}/${name}`, hash);
    checked.push({ unit: ARGOCD_UNIT, objects: record.files.length, findings: record.findings });
  }

  const units = new Set(plans.map((p) => p.unit));
  if (complete && fleet.argocd) units.add(ARGOCD_UNIT);
  const apps = plans.filter((p) => p.kind === 'app');
  return {
    units,
    complete,
    environments,
    tiers: Object.fromEntries(fleet.environments.filter((e) => environments.includes(e.name)).map((e) => [e.name, e.spec.tier])),
    apps: new Set(apps.map((p) => p.dir)).size,
    deployments: apps.length,
    objects: files.size,
    files,
    contents,
    rendered,
    check: assembleReport(checked, fleet),
    stats: { units: plans.length, cached: plans.length - missing.length, rendered: missing.length, rechecked: rechecked.length, hubCached },
  };
}

/**
 * A unit's error, its line filled in where it points into an overlay patch (the units run
 * without line locators, which do not cross threads).
 */
function located(e: ErrorDetails, input: UnitInput): BridgeError {
  if (e.line !== undefined || e.file === undefined || e.pointer === undefined) return new BridgeError(e);
  // A spec field the chart refused: blamed on whoever set it, base or overlay (load/fleet.ts specOrigin).
  if (input.app?.kind === 'spec' && input.app.specOrigin && e.pointer.startsWith('/spec/') && input.app.files.includes(e.file)) return new BridgeError({ ...e, ...input.app.specOrigin(e.pointer) });
  const patch = input.app?.kind !== 'spec' ? undefined : input.app.patches.find((p) => p.file === e.file && (e.pointer === p.pointer || e.pointer!.startsWith(`${p.pointer}/`)));
  const line = patch?.lineOf?.(e.pointer);
  return new BridgeError(line === undefined ? e : { ...e, line });
}

/** The hub's files (argocd/), from manifests/argocd.yaml, the environments and the units rendered for them. */
function hubFiles(fleet: Fleet, units: RenderedUnit[]): [string, RenderedObject][] {
  const source = fleet.argocd!.file;
  const errors = new ErrorSink();
  const laid = errors.guard(() => unitFiles(ARGOCD_UNIT, argocdObjects(fleet, units).map((object) => ({ object: withSyncWave(object), source }))));
  errors.throwIfAny();
  return laid!;
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
    const app = input.app && keyed(input.app);
    return digest(codeKey, envKey, input.plan.kind, input.plan.unit, app ? JSON.stringify(app) : '');
  });
}

/** What of an app's unit input its key covers: all of it, less line locators, and a chart's code by its digest. */
function keyed(app: UnitApp): unknown {
  switch (app.kind) {
    case 'spec':
      return { ...app, patches: app.patches.map(({ lineOf: _locator, ...p }) => p) };
    case 'chart':
      return { ...app, chart: { file: app.chart.file, digest: app.chart.digest } };
    case 'kustomize':
      return app;
  }
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
  records: Map<string, UnitRecord>,
  global: Map<string, { path: string; hash: string; unit: string }[]>,
  declared: DeclaredSchemas | undefined,
  objectsOf: (unit: string) => [string, RenderedObject][],
  inputOf: (i: number) => UnitInput,
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
    const input = inputOf(i);
    const { lookup, reads } = recordingLookup(plan.env, index, ensure);
    const findings = checkUnitObjects(objectsOf(plan.unit), { environment: input.env, ...(input.app && { app: input.app }) }, lookup, declared);
    records.set(plan.unit, { ...records.get(plan.unit)!, findings, reads: reads() });
  }
  return stale;
}
