/**
 * A mixed fleet (bench/synthetic-fleet.ts with `mix`: spec apps, Kustomize apps and chart apps
 * importing a shared helper under manifests/) through the engine: across worker threads and from
 * the unit cache it gives the reference's bytes and check report exactly (test/helpers.ts
 * referenceRender); a change to the charts' helper renders again exactly the chart units whose
 * compiled code includes it, and a change to a Kustomize app's base that app in every environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appKind, appName, CHART_HELPER, syntheticFleet, writeFiles } from '../../bench/synthetic-fleet.js';
import { type UnitRecord } from '../../generators/engine/engine.js';
import { editFile, expectSameAsReference, MemoryCache } from '../helpers.js';

const APPS = 15;
const ENVS = ['dev', 'staging', 'prod'];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-bridge-mixed-'));
  dirs.push(root);
  writeFiles(root, syntheticFleet({ apps: APPS, envs: ENVS.length }, 0, { mix: true }));
  writeFileSync(join(root, 'package.json'), '{}\n');
  return root;
}

const appsOf = (kind: 'spec' | 'kustomize' | 'chart') => Array.from({ length: APPS }, (_, i) => i).filter((i) => appKind(i, { mix: true }) === kind).map(appName);


/** The units a render rendered (not taken from the cache): the keys the cache was given this time. */
function renderedUnits(cache: MemoryCache, before: Map<string, [string, UnitRecord]>): string[] {
  return [...cache.units].filter(([unit, [key]]) => before.get(unit)?.[0] !== key).map(([unit]) => unit).sort();
}


describe('a mixed fleet (spec, Kustomize and chart apps)', () => {
  it('renders across worker threads and from the cache exactly as the reference', async () => {
    const root = project();
    expect(appsOf('kustomize')).toEqual(['svc-0003', 'svc-0008', 'svc-0013']);
    expect(appsOf('chart')).toEqual(['svc-0004', 'svc-0009', 'svc-0014']);
    const cache = new MemoryCache();
    const cold = await expectSameAsReference(root, cache, 'workers');
    expect(cold.stats).toMatchObject({ cached: 0, rendered: cold.stats.units });
    // Every kind of app rendered its objects, and nothing was found wrong with them.
    for (const app of [...appsOf('kustomize'), ...appsOf('chart')]) {
      for (const env of ENVS) expect([...cold.files.keys()].some((p) => p.startsWith(`${env}/${app}/deployment-`)), `${env}/${app}`).toBe(true);
    }
    expect(cold.check.violations).toEqual([]);
    const warm = await expectSameAsReference(root, cache, 'in-process');
    expect(warm.stats).toMatchObject({ cached: warm.stats.units, rendered: 0 });
  });

  it("renders again exactly the chart units that import a changed helper, and a Kustomize app in every environment when its base changes", async () => {
    const root = project();
    // One chart stops importing the shared helper: it has the same code inline.
    const alone = appsOf('chart').at(-1)!;
    editFile(join(root, `manifests/apps/${alone}/chart.ts`), (t) =>
      t.replace(
        "import { hardened, sizing } from '../../lib/bench-chart.js';",
        `const sizing = (tier: string) => (tier === 'production' ? { replicas: 3, memory: Size.mebibytes(256) } : { replicas: 1, memory: Size.mebibytes(128) });
const hardened = () => ({ ensureNonRoot: true, readOnlyRootFilesystem: true, user: 10001, group: 10001 });`,
      ).replace("import { Duration, type Chart } from 'cdk8s';", "import { Duration, Size, type Chart } from 'cdk8s';"),
    );
    const cache = new MemoryCache();
    await expectSameAsReference(root, cache, 'in-process');
    const render = async (executor: 'in-process' | 'workers' = 'in-process') => {
      const before = new Map(cache.units);
      const r = await expectSameAsReference(root, cache, executor);
      return { units: renderedUnits(cache, before), stats: r.stats };
    };
    const unitsOf = (apps: string[]) => apps.flatMap((a) => ENVS.map((e) => `${e}/${a}`)).sort();

    // The helper: the charts whose compiled code includes it, in every environment; not the one without it.
    editFile(join(root, CHART_HELPER), (t) => t.replace('readOnlyRootFilesystem: true, user: 10001', 'readOnlyRootFilesystem: true, user: 10002'));
    const helper = await render();
    expect(helper.units).toEqual(unitsOf(appsOf('chart').filter((a) => a !== alone)));
    expect(helper.stats).toMatchObject({ rendered: 2 * ENVS.length, hubCached: true });

    // A Kustomize app's base: that app, in every environment (through worker threads this time).
    const app = appsOf('kustomize')[1]!;
    editFile(join(root, `manifests/apps/${app}/base/deployment.yaml`), (t) => t.replace('  replicas: 2\n', '  replicas: 2\n  minReadySeconds: 5\n'));
    const base = await render('workers');
    expect(base.units).toEqual(unitsOf([app]));
    expect(base.stats).toMatchObject({ rendered: ENVS.length, hubCached: true });

    // A file only the chart without the helper reads: that chart alone.
    editFile(join(root, `manifests/apps/${alone}/chart.ts`), (t) => t.replace(':1.0.0', ':1.0.1'));
    expect((await render()).units).toEqual(unitsOf([alone]));

    // Nothing changed: nothing rendered.
    expect((await render()).units).toEqual([]);
  });
});
