/**
 * What no single unit can see: two directories of one environment that render the same object
 * (kind, namespace, name: two apps of a namespace with a ServiceAccount `orders-api`, each with
 * its own IAM role, of which the cluster keeps whichever Argo CD applied last), and two Ingresses
 * that claim the same host and path (the controller routes them to one). Found from the views
 * every unit record keeps (argocd/plan.ts hubView), cached or not: one pass over the
 * environment's objects, a map lookup each (17,000 objects at 1000 apps x 3 environments). Each
 * clash is an error on both sides, each named by its app, its spec file and the place in it. Pure.
 */
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { groupOf } from '../argocd/settings.js';
import type { UnitApp, UnitPlan } from './units.js';

/** One side of a clash: a unit and the index of the object in its files (name order). */
export interface ClashSide {
  plan: UnitPlan;
  index: number;
  /** For an Ingress: the rule and path index that claims the host and path. */
  rule?: [number, number];
}

export interface Clash {
  kind: 'object' | 'ingress';
  /** What both claim: `Kind namespace/name`, or `host "h" path "/p"`. */
  what: string;
  first: ClashSide;
  second: ClashSide;
}

/** Every clash between the units of one render, environment by environment, in render order. */
export function findClashes(units: readonly { plan: UnitPlan; views: readonly KubeObject[] }[]): Clash[] {
  const clashes: Clash[] = [];
  const objects = new Map<string, ClashSide>();
  const routes = new Map<string, ClashSide>();
  for (const { plan, views } of units) {
    views.forEach((view, index) => {
      const ns = view.metadata.namespace;
      const id = `${plan.env}\u0000${groupOf(view.apiVersion)}\u0000${view.kind}\u0000${ns ?? ''}\u0000${view.metadata.name}`;
      const first = objects.get(id);
      const side = { plan, index };
      if (first === undefined) objects.set(id, side);
      else if (first.plan.unit !== plan.unit) clashes.push({ kind: 'object', what: `${view.kind} ${ns === undefined ? '' : `${ns}/`}${view.metadata.name}`, first, second: side });
      if (view.kind !== 'Ingress') return;
      const spec = view.spec as { ingressClassName?: string; rules?: { host?: string; paths: string[] }[] } | undefined;
      (spec?.rules ?? []).forEach((rule, r) =>
        rule.paths.forEach((path, p) => {
          const key = `${plan.env}\u0000${spec?.ingressClassName ?? ''}\u0000${rule.host ?? '*'}\u0000${path}`;
          const claimed = routes.get(key);
          const here = { plan, index, rule: [r, p] as [number, number] };
          if (claimed === undefined) routes.set(key, here);
          else if (claimed.plan.unit !== plan.unit || claimed.index !== index) {
            const host = rule.host === undefined ? 'every host' : `host "${rule.host}"`;
            clashes.push({ kind: 'ingress', what: `${host}, path "${path}"${spec?.ingressClassName ? ` (ingress class ${spec.ingressClassName})` : ''}`, first: claimed, second: here });
          }
        }),
      );
    });
  }
  return clashes;
}

/** Where a side of a clash is written: its app (or directory), spec file, and the place in it. */
export interface SideSite {
  who: string;
  file: string;
  pointer?: string;
  line?: number;
}

/**
 * Where an object of a unit comes from. A spec app: the spec field that names it (a
 * ServiceAccount's serviceAccount.name, an ExternalSecret's entry, the ingress host), else the
 * namespace it shares; a brought app: the object in its file; the namespaces unit: the
 * environment file.
 */
export function siteOf(side: ClashSide, entry: RenderedObject, app: UnitApp | undefined): SideSite {
  const object = entry.object;
  if (!app) return { who: `rendered/${side.plan.unit}`, file: entry.source };
  const who = `${app.source} "${app.name}"`;
  if (app.kind !== 'spec') {
    const pointer = side.rule ? `/spec/rules/${side.rule[0]}/host` : '/metadata/name';
    return { who, file: entry.source, pointer, ...located(entry.lineOf?.(pointer)) };
  }
  const spec = app.spec;
  let pointer: string;
  if (side.rule) pointer = '/spec/ingress/host';
  else if (object.kind === 'ServiceAccount' && spec.serviceAccount?.name === object.metadata.name) pointer = '/spec/serviceAccount/name';
  else if (object.kind === 'ExternalSecret' && spec.externalSecrets?.some((e) => e.name === object.metadata.name)) pointer = `/spec/externalSecrets/${spec.externalSecrets.findIndex((e) => e.name === object.metadata.name)}/name`;
  else pointer = spec.namespace !== undefined ? '/spec/namespace' : '/metadata/name';
  const origin = app.specOrigin?.(pointer);
  return { who, file: origin?.file ?? app.files[0]!, pointer, ...located(origin?.line) };
}

const located = (line: number | undefined) => (line === undefined ? {} : { line });

const at = (s: SideSite) => `${s.file}${s.line !== undefined ? `:${s.line}` : ''}`;

/**
 * The errors for clashes, each at its second side, naming both; a clash between the same two
 * places in several environments is one error naming them all.
 */
export function clashErrors(clashes: readonly Clash[], site: (side: ClashSide) => SideSite): BridgeError[] {
  const merged = new Map<string, { clash: Clash; first: SideSite; second: SideSite; envs: string[] }>();
  for (const clash of clashes) {
    const [first, second] = [site(clash.first), site(clash.second)];
    const key = JSON.stringify([clash.kind, clash.what, first, second]);
    const entry = merged.get(key);
    if (entry) entry.envs.push(clash.second.plan.env);
    else merged.set(key, { clash, first, second, envs: [clash.second.plan.env] });
  }
  return [...merged.values()].map(({ clash, first, second, envs }) => clashError(clash, first, second, envs));
}

function clashError(clash: Clash, first: SideSite, second: SideSite, envs: string[]): BridgeError {
  const where = `in environment${envs.length > 1 ? 's' : ''} ${envs.join(', ')}`;
  const object = clash.kind === 'object';
  return new BridgeError({
    code: 'file-collision',
    message: object
      ? `${clash.what} is rendered twice ${where}: by ${first.who} (${at(first)}) and by ${second.who} (${at(second)}); applied, one would silently overwrite the other`
      : `two Ingresses claim ${clash.what} ${where}: ${first.who} (${at(first)}) and ${second.who} (${at(second)}); the controller would route it to only one of them`,
    file: second.file,
    ...(second.pointer !== undefined && { pointer: second.pointer }),
    ...(second.line !== undefined && { line: second.line }),
    hint: object
      ? 'an object is unique by kind, namespace and name in a cluster: give one of them another name (serviceAccount.name, externalSecrets[].name, metadata.name), or deploy one app into another namespace'
      : 'give one of the apps another host (or path); an app reaches another app through its Service, not by sharing its host',
  });
}
