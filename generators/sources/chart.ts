/**
 * The chart source: a cdk8s chart written by the team (manifests/<apps|addons>/<app>/chart.ts),
 * compiled by the workspace into one CommonJS module (workspace/charts.ts: the chart and the
 * files of manifests/ it imports; cdk8s, cdk8s-plus-33 and constructs stay outside), run here
 * against a Chart of the app's own App, then synthesised through cdk8s's public API.
 *
 * Why the compiled code travels as text and is evaluated here, synchronously: it is plain data,
 * so the unit cache keys on it and a worker thread renders it as this thread does; and the
 * packages it may use resolve to this process's own cdk8s, so the Chart it is handed and the
 * constructs it builds are of one library (two copies of cdk8s do not mix). Each module is
 * evaluated once per thread (by digest); the chart function runs once per environment.
 *
 * An exception the chart throws (or an unknown bridge key it asks for) is an error naming the
 * chart's file and line, found through the module's source map. Pure: no file system.
 */
import * as cdk8s from 'cdk8s';
import * as plus from 'cdk8s-plus-33';
import * as constructs from 'constructs';
import { runInThisContext } from 'node:vm';
import { SourceMapConsumer } from 'source-map-js';
import type { RenderedObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { unknownBridgeKey } from '../load/interpolate.js';
import type { ChartContext, ChartFunction } from './chart-context.js';
import type { CHART_PACKAGE_NAMES } from './chart-packages.js';
import { adoptObjects } from './own-objects.js';
import type { UnitChartApp, UnitEnvironment } from './types.js';

/** The packages a chart may import, as this process has them. */
export const CHART_PACKAGES: Readonly<Record<(typeof CHART_PACKAGE_NAMES)[number], unknown>> = { cdk8s, 'cdk8s-plus-33': plus, constructs };

/** Evaluated chart modules of this thread, by digest. */
const evaluated = new Map<string, ChartFunction>();

export function renderChartApp(app: UnitChartApp, env: UnitEnvironment): RenderedObject[] {
  const fn = chartFunction(app);
  const chart = new cdk8s.Chart(new cdk8s.App(), app.name, { namespace: app.namespace, disableResourceNameHashes: true });
  const keys = Object.keys(env.outputs).sort(compareStrings);
  const ctx: ChartContext = Object.freeze({
    environment: Object.freeze({ name: env.name, tier: env.spec.tier, domain: env.spec.domain }),
    app: Object.freeze({ name: app.name, namespace: app.namespace }),
    bridge: (key: string) => {
      const value = env.outputs[key];
      if (value === undefined) throw unknownBridgeKey(key, '', app.name, env.name, env.outputs, env.snapshotFile);
      return value;
    },
    bridgeKeys: Object.freeze(keys),
  });
  let objects: unknown;
  try {
    fn(chart, ctx);
    objects = chart.toJson();
  } catch (e) {
    throw chartError(e, app);
  }
  return adoptObjects(
    (objects as RenderedObject['object'][]).map((object) => ({ object, source: app.chart.file })),
    app,
  );
}

function chartFunction(app: UnitChartApp): ChartFunction {
  const known = evaluated.get(app.chart.digest);
  if (known) return known;
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string): unknown => {
    if (Object.hasOwn(CHART_PACKAGES, id)) return CHART_PACKAGES[id as keyof typeof CHART_PACKAGES];
    throw new BridgeError({
      code: 'chart',
      message: `chart imports "${id}", which a chart cannot use`,
      file: app.chart.file,
      hint: `a chart may import ${Object.keys(CHART_PACKAGES).join(', ')} and files under manifests/; it renders from its context (ctx), not from the network or the disk`,
    });
  };
  try {
    // One line of wrapper before the code, so the module's lines keep their numbers.
    const wrapped = runInThisContext(`(function (require, module, exports) {\n${app.chart.code}\n})`, { filename: chartUrl(app.chart.file) }) as (r: typeof require, m: typeof module, e: unknown) => void;
    wrapped(require, module, module.exports);
  } catch (e) {
    throw chartError(e, app);
  }
  const fn = (module.exports.default ?? module.exports) as unknown;
  if (typeof fn !== 'function') {
    throw new BridgeError({
      code: 'chart',
      message: 'chart.ts has no default export of a function',
      file: app.chart.file,
      hint: 'write `export default function (chart: Chart, ctx: ChartContext) { ... }` (see the README, "Bring your own manifests")',
    });
  }
  evaluated.set(app.chart.digest, fn as ChartFunction);
  return fn as ChartFunction;
}

/** The name the module's frames carry in stack traces. */
const chartUrl = (file: string) => `gitops-bridge-chart:${file}`;

/** An error thrown while the chart ran, located in the chart's sources (file and line) through its source map. */
function chartError(e: unknown, app: UnitChartApp): BridgeError {
  const at = locate(e, app);
  if (e instanceof BridgeError) {
    if (e.file !== undefined) return e;
    return new BridgeError({ code: e.code, message: e.message, file: at?.file ?? app.chart.file, ...(at?.line !== undefined && { line: at.line }), ...(e.hint !== undefined && { hint: e.hint }) });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new BridgeError({
    code: 'chart',
    message: `chart of "${app.name}" failed in environment "${app.environment}": ${message.split('\n')[0]}`,
    file: at?.file ?? app.chart.file,
    ...(at?.line !== undefined && { line: at.line }),
    hint: 'fix the chart at that line; run `npm run render -- --app ' + app.name + '` to try it alone',
  });
}

/** The first frame of the error's stack inside the chart's module, mapped to the team's file and line. */
function locate(e: unknown, app: UnitChartApp): { file: string; line?: number } | undefined {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const prefix = chartUrl(app.chart.file) + ':';
  for (const line of stack.split('\n')) {
    const i = line.indexOf(prefix);
    if (i < 0) continue;
    const m = /^(\d+):(\d+)/.exec(line.slice(i + prefix.length));
    if (!m) continue;
    // Line 1 is the wrapper's.
    const position = new SourceMapConsumer(JSON.parse(app.chart.map)).originalPositionFor({ line: Number(m[1]) - 1, column: Number(m[2]) - 1 });
    if (position.source === null || position.line === null) return { file: app.chart.file };
    // The map's sources are project paths (workspace/charts.ts).
    return { file: position.source, line: position.line };
  }
  return undefined;
}
