/**
 * Compiles the team's charts (manifests/<apps|addons>/<app>/chart.ts) into plain data the chart
 * source runs (sources/chart.ts): one CommonJS module per chart, bundled with esbuild from the
 * chart and every file of manifests/ it imports, with cdk8s, cdk8s-plus-33 and constructs left to
 * the renderer's own copies, and a source map (its sources as project paths) to locate errors.
 * What it compiles to is the chart's cache key, so a change to the chart or to anything it
 * imports renders it again.
 *
 * A chart may import only files under manifests/ (besides those packages): they are the inputs a
 * render scans, so a change to any of them is seen by the run memo and the file index alike, and
 * the chart cache (charts.json) can vouch for a compiled chart by the blob ids of its inputs.
 * Why one esbuild call for every chart that needs compiling, and a cache: each synchronous call
 * starts an esbuild process, about 10-20 ms, which 200 charts would pay on every render.
 */
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BuildFailure, Message, Metafile } from 'esbuild';
import { BridgeError, ErrorSink } from '../core/errors.js';
import { blobId, digestOf } from '../core/hash.js';
import { compareStrings } from '../core/strings.js';
import type { ChartModule } from '../load/fleet.js';
import type { SourceSet } from '../load/sources.js';
import { CHART_PACKAGE_NAMES } from '../sources/chart-packages.js';

const require = createRequire(import.meta.url);

/** The chart.ts files of a set of input paths. */
export const chartFiles = (paths: Iterable<string>): string[] => [...paths].filter((p) => /^manifests\/(apps|addons)\/[^/]+\/chart\.ts$/.test(p)).sort(compareStrings);

interface ChartEntry {
  /** Each input file of the compiled module and its blob id. */
  inputs: [string, string][];
  module: ChartModule;
}

/** Compiled charts kept between runs (.cache/gitops-bridge/charts.json), each vouched for by its inputs' blob ids. */
export class ChartCache {
  private readonly entries = new Map<string, ChartEntry>();
  dirty = false;

  constructor(data?: unknown) {
    const entries = (data as { entries?: unknown } | undefined)?.entries;
    if (entries === null || typeof entries !== 'object') return;
    for (const [file, entry] of Object.entries(entries)) {
      const e = entry as Partial<ChartEntry> | null;
      const m = e?.module;
      if (Array.isArray(e?.inputs) && m && typeof m.code === 'string' && typeof m.map === 'string' && typeof m.digest === 'string' && m.file === file) {
        this.entries.set(file, { inputs: e.inputs, module: m });
      }
    }
  }

  /** The compiled chart, if every file it was compiled from is unchanged in `sources`. */
  get(file: string, sources: SourceSet): ChartModule | undefined {
    const entry = this.entries.get(file);
    if (!entry) return undefined;
    for (const [path, id] of entry.inputs) {
      const text = sources.get(path);
      if (text === undefined || blobId(text) !== id) return undefined;
    }
    return entry.module;
  }

  set(file: string, inputs: [string, string][], module: ChartModule): void {
    this.entries.set(file, { inputs, module });
    this.dirty = true;
  }

  /** Forgets charts that are gone. */
  retain(files: readonly string[]): void {
    for (const file of [...this.entries.keys()]) {
      if (!files.includes(file)) {
        this.entries.delete(file);
        this.dirty = true;
      }
    }
  }

  toJSON(): unknown {
    return { entries: Object.fromEntries([...this.entries].sort(([a], [b]) => compareStrings(a, b))) };
  }
}

/**
 * Compiles each chart (those the cache cannot vouch for, in one esbuild call); every problem
 * (a syntax error, an import from outside manifests/) is thrown together.
 */
export function compileCharts(root: string, files: readonly string[], sources: SourceSet, cache?: ChartCache): Map<string, ChartModule> {
  const out = new Map<string, ChartModule>();
  const todo: string[] = [];
  for (const file of files) {
    const cached = cache?.get(file, sources);
    if (cached) out.set(file, cached);
    else todo.push(file);
  }
  cache?.retain(files);
  if (todo.length === 0) return out;

  // esbuild's synchronous API runs its process from a worker thread by default and blocks this
  // thread on it; when that worker cannot start the process (EMFILE under a low `ulimit -n`), it
  // exits and this thread waits for ever (a cold render under `ulimit -n 30` hung). With
  // ESBUILD_WORKER_THREADS=0, read when esbuild is first loaded, it runs the process with
  // execFileSync instead: a failure throws here, and one call took 170-230 ms, not 480-520 ms.
  process.env.ESBUILD_WORKER_THREADS ??= '0';
  const esbuild = require('esbuild') as typeof import('esbuild');
  // Outputs are never written: outdir only names them (and what their source maps are relative to).
  const outdir = join(root, '.cache', 'gitops-bridge', 'charts');
  let result;
  try {
    result = esbuild.buildSync({
      entryPoints: todo.map((f) => join(root, f)),
      absWorkingDir: root,
      outdir,
      outbase: root,
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
    const messages: Message[] | undefined = (e as BuildFailure).errors;
    if (!messages?.length) throw e;
    const errors = new ErrorSink();
    for (const m of messages) {
      errors.add({
        code: 'chart',
        message: `chart does not compile: ${m.text}`,
        file: m.location ? projectPath(root, join(root, m.location.file)) : todo[0]!,
        ...(m.location && { line: m.location.line }),
        hint: m.notes[0]?.text ?? 'fix the TypeScript at that line',
      });
    }
    errors.throwIfAny();
    throw e;
  }

  const errors = new ErrorSink();
  const texts = new Map(result.outputFiles!.map((f) => [f.path, f.text]));
  for (const [outPath, output] of Object.entries(result.metafile!.outputs as Metafile['outputs'])) {
    if (!output.entryPoint) continue;
    const file = output.entryPoint;
    const inputs = Object.keys(output.inputs).sort(compareStrings);
    const outside = inputs.filter((input) => !input.startsWith('manifests/'));
    if (outside.length > 0) {
      errors.add({
        code: 'chart',
        message: `chart imports ${outside.join(', ')}, outside manifests/`,
        file,
        hint: `a chart may import files under manifests/ and the packages ${CHART_PACKAGE_NAMES.join(', ')}; move shared code under manifests/ (e.g. manifests/lib/)`,
      });
      continue;
    }
    const jsPath = resolve(root, outPath);
    const code = texts.get(jsPath)!;
    const map = JSON.parse(texts.get(`${jsPath}.map`)!) as { sources: string[] };
    // Source paths as the project names them, whatever directory the map was made for.
    map.sources = map.sources.map((s) => projectPath(root, resolve(dirname(jsPath), s)));
    const mapText = JSON.stringify(map);
    const module: ChartModule = { file, code, map: mapText, digest: digestOf([code, mapText]) };
    out.set(file, module);
    cache?.set(
      file,
      inputs.map((input) => [input, blobId(sources.get(input) ?? '')]),
      module,
    );
  }
  errors.throwIfAny();
  return out;
}

const projectPath = (root: string, abs: string) => relative(root, abs).split(sep).join('/');
