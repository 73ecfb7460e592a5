/**
 * Fleet in, rendered files out: generate every unit's objects, apply overlay patches, lay them
 * out one object per file and serialise them. Pure: no disk, no clock, no git.
 *
 * renderFleet renders every unit in this thread. The CLI renders through incremental.ts, which
 * takes unchanged units from a cache and spreads the others over worker threads, and gives the
 * same bytes (test/render/incremental.test.ts).
 */
import { ARGOCD_UNIT, argocdObjects, withSyncWave, type RenderedUnit } from '../argocd/index.js';
import { hubView } from '../argocd/plan.js';
import type { KubeObject } from '../charts/object.js';
import { ErrorSink } from '../core/errors.js';
import type { Fleet } from '../load/fleet.js';
import { toYaml } from '../engine/yaml.js';
import { layOutUnit, planUnits, renderUnitObjects, unitInputs, type RenderedObject, type Selection, type UnitPlan } from '../engine/units.js';

export { isSelected, NAMESPACES_UNIT, type RenderedObject, type Selection } from '../engine/units.js';

export interface RenderResult {
  /** Path under rendered/ -> file content. */
  files: Map<string, string>;
  /** The units (directories under rendered/) this render owns; files outside them are left alone. */
  units: Set<string>;
  /** Whether the whole of rendered/ was rendered (no filter): then every other file is stale. */
  complete: boolean;
  environments: string[];
  /** Distinct apps rendered, and app deployments (an app in one environment). */
  apps: number;
  deployments: number;
  objects: number;
  /** Path under rendered/ -> the object in it and the spec file that produced it (for the check stage, without re-parsing). */
  rendered?: Map<string, RenderedObject>;
}

export function renderFleet(fleet: Fleet, selection: Selection = {}): RenderResult {
  const { plans, environments } = planUnits(fleet, selection);
  const errors = new ErrorSink();
  const files = new Map<string, string>();
  const rendered = new Map<string, RenderedObject>();
  const hub: RenderedUnit[] = [];
  for (const input of unitInputs(fleet, plans)) {
    const laid = errors.guard(() => layOutUnit(input.plan.unit, renderUnitObjects(input)));
    if (!laid) continue;
    hub.push(hubUnit(input.plan, laid.map(([, r]) => r.object)));
    for (const [name, entry] of laid) {
      files.set(`${input.plan.unit}/${name}`, toYaml(entry.object));
      rendered.set(`${input.plan.unit}/${name}`, entry);
    }
  }
  errors.throwIfAny();
  const complete = !selection.environments && !selection.apps;
  const argocd = complete ? renderHub(fleet, hub) : undefined;
  for (const [name, entry] of argocd ?? []) {
    files.set(`${ARGOCD_UNIT}/${name}`, toYaml(entry.object));
    rendered.set(`${ARGOCD_UNIT}/${name}`, entry);
  }
  return { files, rendered, ...summarise(plans, environments, complete, argocd !== undefined, files.size) };
}

/** What the hub needs of a unit: its place and the views of its objects (argocd/plan.ts). */
export function hubUnit(plan: UnitPlan, objects: KubeObject[]): RenderedUnit {
  return { environment: plan.env, directory: plan.dir, objects: objects.map(hubView) };
}

/**
 * rendered/argocd/, from manifests/argocd.yaml, the environments and the units rendered for
 * them, laid out; undefined when the project has no manifests/argocd.yaml. Only a complete render
 * writes it: it describes every environment, so a filtered one leaves it as it is.
 */
export function renderHub(fleet: Fleet, units: RenderedUnit[]): [string, RenderedObject][] | undefined {
  if (!fleet.argocd) return undefined;
  const source = fleet.argocd.file;
  const errors = new ErrorSink();
  const laid = errors.guard(() => layOutUnit(ARGOCD_UNIT, argocdObjects(fleet, units).map((object) => ({ object: withSyncWave(object), source }))));
  errors.throwIfAny();
  return laid;
}

/** The counts and ownership of a render. */
export function summarise(plans: UnitPlan[], environments: string[], complete: boolean, hub: boolean, objects: number): Omit<RenderResult, 'files' | 'rendered'> {
  const units = new Set(plans.map((p) => p.unit));
  if (hub) units.add(ARGOCD_UNIT);
  const apps = plans.filter((p) => p.kind === 'app');
  return { units, complete, environments, apps: new Set(apps.map((p) => p.dir)).size, deployments: apps.length, objects };
}
