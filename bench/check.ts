/**
 * How long the check stage takes on a large fleet: the example's rendered objects copied until
 * there are about 15,000 (each copy a distinct app with its own names and namespaces), checked
 * as `npm run render` checks them (Kubernetes schema, strictly, the API server's rules, then
 * every policy). The schema alone and the API server's rules alone are timed too.
 *
 *   npx tsx bench/check.ts [target-objects]   (default 15000)
 *
 * Not a test: it prints timings. The first run in a process also loads the models of the kinds
 * in use; that is reported separately.
 */
import { readFleet } from '../generators/workspace/fleet.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject, RenderedObject } from '../generators/charts/object.js';
import { assembleReport, checkUnitObjects, type CheckedUnit } from '../generators/check/check.js';
import { validateApiObject } from '../generators/check/api-server/index.js';
import { validateKubernetesObject } from '../generators/check/kubernetes-schema.js';
import { POLICIES } from '../generators/check/policies/index.js';
import type { AppInstance, EnvironmentInstance, Fleet } from '../generators/load/fleet.js';
import { inProcessExecutor, renderFleet } from '../generators/engine/engine.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = Number(process.argv[2] ?? 15000);

const fleet = readFleet(repoRoot);
const base = await renderFleet(fleet, {}, { executor: inProcessExecutor(undefined, { keepObjects: true }), codeKey: 'bench' });
const appUnits = [...base.rendered].filter(([path]) => {
  const [env, dir] = path.split('/');
  return fleet.environments.some((e) => e.name === env && e.apps.some((a) => a.name === dir));
});
const copies = Math.ceil(target / appUnits.length);

/** Copy i of the example: every app renamed <app>-c<i>, in namespace <ns>-c<i>. */
const rename = (o: unknown, from: string, to: string): unknown => JSON.parse(JSON.stringify(o).split(`"${from}"`).join(`"${to}"`));
const environments: EnvironmentInstance[] = fleet.environments.map((e) => ({ ...e, apps: [] as AppInstance[] }));
const rendered = new Map<string, RenderedObject>();
for (let i = 0; i < copies; i++) {
  for (const env of fleet.environments) {
    const copyEnv = environments.find((e) => e.name === env.name)!;
    for (const app of env.apps) copyEnv.apps.push({ ...app, name: `${app.name}-c${i}`, namespace: `${app.namespace}-c${i}` });
  }
  for (const [path, entry] of appUnits) {
    const [env, dir, file] = path.split('/');
    const app = fleet.environments.find((e) => e.name === env)!.apps.find((a) => a.name === dir)!;
    let object = rename(entry.object, app.name, `${app.name}-c${i}`) as KubeObject;
    if (app.namespace !== app.name) object = rename(object, app.namespace, `${app.namespace}-c${i}`) as KubeObject;
    rendered.set(`${env}/${dir}-c${i}/${file}`, { object, source: entry.source });
  }
}
const bigFleet: Fleet = { environments };
/** Every unit's objects, checked as the engine checks a unit (sibling lookups within its environment and namespace). */
function checkAll(): ReturnType<typeof assembleReport> {
  const units = new Map<string, [string, RenderedObject][]>();
  const siblings = new Map<string, KubeObject[]>();
  for (const [path, entry] of rendered) {
    const parts = path.split('/');
    const unit = `${parts[0]}/${parts[1]}`;
    units.set(unit, [...(units.get(unit) ?? []), [parts.slice(2).join('/'), entry]]);
    const key = `${parts[0]}|${entry.object.kind}|${entry.object.metadata.namespace ?? ''}`;
    siblings.set(key, [...(siblings.get(key) ?? []), entry.object]);
  }
  const checked: CheckedUnit[] = [];
  for (const [unit, entries] of units) {
    const env = environments.find((e) => e.name === unit.split('/')[0])!;
    const app = env.apps.find((a) => a.name === unit.split('/')[1]);
    const lookup = (kind: string, namespace?: string) => siblings.get(`${env.name}|${kind}|${namespace ?? ''}`) ?? [];
    checked.push({ unit, objects: entries.length, findings: checkUnitObjects(entries, { environment: env, ...(app && { app }) }, lookup) });
  }
  return assembleReport(checked, bigFleet);
}
const objects = [...rendered.values()].map((r) => r.object);
const kinds = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
console.log(`${rendered.size} objects (${copies} copies of the example's ${appUnits.length} app objects; ${kinds.size} kinds), Node ${process.version}`);

const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
};

const [, cold] = time(() => objects.slice(0, appUnits.length).forEach((o) => validateKubernetesObject(o)));
console.log(`first copy, schema only (loads the models, learns the shapes): ${cold.toFixed(0)} ms`);

const runs: { schema: number; api: number; full: number }[] = [];
let report;
for (let r = 0; r < 3; r++) {
  const [, schema] = time(() => {
    for (const o of objects) validateKubernetesObject(o);
  });
  const [, api] = time(() => {
    for (const o of objects) validateApiObject(o);
  });
  const [rep, full] = time(() => checkAll());
  report = rep;
  runs.push({ schema, api, full });
  console.log(`run ${r + 1}: schema only ${schema.toFixed(0)} ms; API-server rules only ${api.toFixed(0)} ms; full check (schema + API-server rules + ${POLICIES.length} policies + exemptions) ${full.toFixed(0)} ms`);
}
const best = (k: 'schema' | 'api' | 'full') => Math.min(...runs.map((x) => x[k]));
console.log(
  `best: ${rendered.size} objects checked in ${best('full').toFixed(0)} ms (${((best('full') / rendered.size) * 1000).toFixed(1)} µs/object); schema alone ${best('schema').toFixed(0)} ms; API-server rules alone ${best('api').toFixed(0)} ms; ${report!.violations.length} violations`,
);
