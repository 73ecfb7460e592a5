/**
 * The chart source: a team's chart.ts compiled by the workspace (workspace/charts.ts) and run by
 * sources/chart.ts. Its errors name the team's file and line; what it imports is part of its key.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import type { ChartModule } from '../../generators/load/fleet.js';
import { renderChartApp } from '../../generators/sources/chart.js';
import type { UnitEnvironment } from '../../generators/sources/types.js';
import { ChartCache, compileCharts } from '../../generators/workspace/charts.js';
import { readSources } from '../../generators/workspace/inputs.js';
import { repoRoot } from '../helpers.js';
import { scratchDir } from '../scratch.js';

const CHART = 'manifests/apps/web/chart.ts';
const env: UnitEnvironment = {
  name: 'dev',
  spec: { tier: 'development', domain: 'dev.example.com' } as UnitEnvironment['spec'],
  file: 'manifests/environments/dev.yaml',
  snapshotFile: 'infra/outputs/dev.json',
  outputs: { aws_region: 'eu-west-1', aws_cluster_name: 'shop-dev' },
  apps: [],
};

let roots: string[] = [];
afterEach(() => {
  roots = [];
});

/** A project holding the given files; returns the compiled chart. */
function compile(files: Record<string, string>): ChartModule {
  const root = scratchDir('chart-test-');
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return compileCharts(root, [CHART], readSources(root)).get(CHART)!;
}

const render = (chart: ChartModule) =>
  renderChartApp({ kind: 'chart', name: 'web', environment: 'dev', source: 'app', namespace: 'web', files: [CHART], chart }, env);

const errorOf = (fn: () => unknown): BridgeError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof BridgeError) return e;
    throw e;
  }
  throw new Error('no error');
};

const CONFIG_CHART = `import type { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';

export default function (chart: Chart, ctx: any) {
  new kplus.ConfigMap(chart, 'config', {
    metadata: { name: 'web-config' },
    data: { REGION: ctx.bridge('aws_region'), ENV: ctx.environment.name, NS: ctx.app.namespace },
  });
}
`;

describe('chart apps', () => {
  it('renders L2 constructs with the bridge and the environment, in the app namespace, with the standard labels', () => {
    const [config] = render(compile({ [CHART]: CONFIG_CHART }));
    expect(config!.source).toBe(CHART);
    expect(config!.object).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'web', labels: { 'app.kubernetes.io/managed-by': 'gitops-bridge', 'app.kubernetes.io/instance': 'web-dev' } },
      data: { REGION: 'eu-west-1', ENV: 'dev', NS: 'web' },
    });
  });

  it('an unknown bridge key names the chart file and the line that asked for it, with a did-you-mean', () => {
    const text = CONFIG_CHART.replace("ctx.bridge('aws_region')", "ctx.bridge('aws_regoin')");
    const e = errorOf(() => render(compile({ [CHART]: text })));
    expect(e.code).toBe('unknown-bridge-key');
    expect(e.file).toBe(CHART);
    expect(e.line).toBe(7);
    expect(e.hint).toContain('aws_region');
  });

  it('an exception in a module the chart imports names that module and line', () => {
    const e = errorOf(() =>
      render(
        compile({
          [CHART]: `import { size } from './size';\nexport default function (chart: any) {\n  size(-1);\n}\n`,
          'manifests/apps/web/size.ts': `export function size(n: number): number {\n  if (n < 0) {\n    throw new Error('size must be positive');\n  }\n  return n;\n}\n`,
        }),
      ),
    );
    expect(e.code).toBe('chart');
    expect(e.message).toContain('size must be positive');
    expect(e.file).toBe('manifests/apps/web/size.ts');
    expect(e.line).toBe(3);
  });

  it('a syntax error is refused at compile time with its file and line', () => {
    const e = errorOf(() => compile({ [CHART]: 'export default function (chart) {\n  const x = ;\n}\n' }));
    expect(e).toMatchObject({ code: 'chart', file: CHART, line: 2 });
    expect(e.message).toContain('does not compile');
  });

  it('refuses imports from outside manifests/ and packages other than cdk8s, cdk8s-plus-33 and constructs', () => {
    const outside = errorOf(() => compile({ [CHART]: `import { x } from '../../../lib/x';\nexport default () => x;\n`, 'lib/x.ts': 'export const x = 1;\n' }));
    expect(outside.message).toContain('lib/x.ts, outside manifests/');
    const fs = errorOf(() => render(compile({ [CHART]: `import { readFileSync } from 'node:fs';\nexport default () => readFileSync('/etc/passwd');\n` })));
    expect(fs.message).toContain('"node:fs", which a chart cannot use');
  });

  it('refuses a chart without a default-exported function', () => {
    const e = errorOf(() => render(compile({ [CHART]: 'export const chart = 1;\n' })));
    expect(e.message).toContain('no default export of a function');
  });

  it('the compiled code (its key) changes with a module the chart imports, and with nothing else', () => {
    const files = { [CHART]: `import { n } from './n';\nexport default () => n;\n`, 'manifests/apps/web/n.ts': 'export const n = 1;\n' };
    const a = compile(files);
    const b = compile(files);
    const c = compile({ ...files, 'manifests/apps/web/n.ts': 'export const n = 2;\n' });
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('compiles many charts in one call, and the cache vouches for a chart by the blob ids of every file it imports', () => {
    const root = scratchDir('chart-test-');
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    const other = 'manifests/apps/api/chart.ts';
    write(CHART, `import { n } from '../../lib/n';\nexport default () => n;\n`);
    write(other, 'export default () => 2;\n');
    write('manifests/lib/n.ts', 'export const n = 1;\n');
    const cache = new ChartCache();
    const first = compileCharts(root, [other, CHART], readSources(root), cache);
    expect([...first.keys()].sort()).toEqual([other, CHART]);
    // Through JSON, as the cache directory keeps it.
    const kept = new ChartCache(JSON.parse(JSON.stringify(cache.toJSON())));
    expect(kept.get(CHART, readSources(root))).toEqual(first.get(CHART));
    write('manifests/lib/n.ts', 'export const n = 3;\n');
    expect(kept.get(CHART, readSources(root))).toBeUndefined();
    expect(kept.get(other, readSources(root))).toEqual(first.get(other));
    const again = compileCharts(root, [other, CHART], readSources(root), kept);
    expect(again.get(CHART)!.digest).not.toBe(first.get(CHART)!.digest);
    expect(again.get(other)).toBe(kept.get(other, readSources(root)));
  });

  it('a compile error in one of several charts names that chart', () => {
    const e = errorOf(() => compile({ [CHART]: 'export default function (chart) {\n  return 1 +;\n}\n', 'manifests/apps/api/chart.ts': 'export default () => 1;\n' }));
    expect(e).toMatchObject({ file: CHART, line: 2 });
  });

  it('the example fleet chart compiles from the repository', () => {
    const chart = compileCharts(repoRoot, ['manifests/apps/status-page/chart.ts'], readSources(repoRoot)).get('manifests/apps/status-page/chart.ts')!;
    const objects = renderChartApp({ kind: 'chart', name: 'status-page', environment: 'dev', source: 'app', namespace: 'status-page', files: [chart.file], chart }, env);
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual([
      'ConfigMap/status-page-config',
      'Deployment/status-page',
      'NetworkPolicy/status-page-allow-http',
      'Service/status-page',
    ]);
  });
});
