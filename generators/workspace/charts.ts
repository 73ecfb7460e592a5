/**
 * Compiles the team's charts (manifests/<apps|addons>/<app>/chart.ts) into plain data the chart
 * source runs (sources/chart.ts): one CommonJS module per chart, bundled with esbuild from the
 * chart and every file of manifests/ it imports, with cdk8s, cdk8s-plus-33 and constructs left to
 * the renderer's own copies, and a source map to locate errors. What it compiles to is the
 * chart's cache key, so a change to the chart or to anything it imports renders it again.
 *
 * A chart may import only files under manifests/ (besides those packages): they are the inputs a
 * render scans, so a change to any of them is seen by the run memo and the file index alike.
 * esbuild's synchronous API keeps loading the fleet synchronous; about 10-20 ms per chart.
 */
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { BuildFailure, Message } from 'esbuild';
import { BridgeError, ErrorSink } from '../core/errors.js';
import { digestOf } from '../core/hash.js';
import type { ChartModule } from '../load/fleet.js';
import { CHART_PACKAGE_NAMES } from '../sources/chart-packages.js';

const require = createRequire(import.meta.url);

/** The chart.ts files of a set of input paths. */
export const chartFiles = (paths: Iterable<string>): string[] => [...paths].filter((p) => /^manifests\/(apps|addons)\/[^/]+\/chart\.ts$/.test(p)).sort();

/** Compiles each chart; every problem (a syntax error, an import from outside manifests/) is thrown together. */
export function compileCharts(root: string, files: readonly string[]): Map<string, ChartModule> {
  const out = new Map<string, ChartModule>();
  if (files.length === 0) return out;
  const esbuild = require('esbuild') as typeof import('esbuild');
  const errors = new ErrorSink();
  for (const file of files) {
    errors.guard(() => {
      out.set(file, compileChart(esbuild, root, file));
    });
  }
  errors.throwIfAny();
  return out;
}

function compileChart(esbuild: typeof import('esbuild'), root: string, file: string): ChartModule {
  const entry = join(root, file);
  let result;
  try {
    result = esbuild.buildSync({
      entryPoints: [entry],
      absWorkingDir: root,
      outfile: entry.replace(/\.ts$/, '.js'),
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: [...CHART_PACKAGE_NAMES],
      sourcemap: 'external',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      charset: 'utf8',
    });
  } catch (e) {
    const first: Message | undefined = (e as BuildFailure).errors?.[0];
    if (!first) throw e;
    throw new BridgeError({
      code: 'chart',
      message: `chart does not compile: ${first.text}`,
      file: first.location ? relative(root, join(root, first.location.file)).split(sep).join('/') : file,
      ...(first.location && { line: first.location.line }),
      hint: first.notes[0]?.text ?? 'fix the TypeScript at that line (esbuild reports the first error)',
    });
  }
  const outside = Object.keys(result.metafile!.inputs).filter((input) => !input.startsWith('manifests/'));
  if (outside.length > 0) {
    throw new BridgeError({
      code: 'chart',
      message: `chart imports ${outside.join(', ')}, outside manifests/`,
      file,
      hint: `a chart may import files under manifests/ and the packages ${CHART_PACKAGE_NAMES.join(', ')}; move shared code under manifests/ (e.g. manifests/lib/)`,
    });
  }
  const code = result.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles!.find((f) => f.path.endsWith('.map'))!.text;
  return { file, code, map, digest: digestOf([code, map]) };
}
