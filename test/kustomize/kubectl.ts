/**
 * Test helper: `kubectl kustomize` as the oracle for the Kustomize engine's tests. Finds kubectl
 * on PATH without running it (a `kubectl version` costs ~65 ms at every import), runs it on a
 * directory and parses its multi-document output with js-yaml's core schema (the schema the
 * engine parses its own inputs with, so a scalar means the same on both sides of a comparison).
 * The batched variant keeps a few processes in flight: one call is mostly process start-up, and
 * the test machines have two cores.
 *
 * The cached variant remembers kubectl's output by the digest of everything the build reads (the
 * caller's digest of the input files, plus `kubectl version --client`), in
 * node_modules/.cache/kubectl-kustomize/. Measured reason: a build with patches costs kubectl
 * 0.3-0.5 s of CPU (Kustomize parses its OpenAPI schema in every process), so the 50-odd corpus
 * cases cost 15 s of CPU on every run, while their inputs rarely change. Set
 * KUBECTL_KUSTOMIZE_CACHE=off to run kubectl on everything.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import yaml from 'js-yaml';

/** The kubectl executable found on PATH, or undefined. */
export const kubectlPath: string | undefined = findOnPath('kubectl');

/** Whether kubectl is available: tests that need it skip (with a notice) when it is not. */
export const hasKubectl: boolean = kubectlPath !== undefined;

/** One directory's result from the batched variant: its objects, or kubectl's error output. */
export type KubectlKustomizeResult = { dir: string; ok: true; objects: object[] } | { dir: string; ok: false; error: string };

/** Runs `kubectl kustomize dir` and returns its objects, in kubectl's output order. Rejects with kubectl's stderr when it refuses the build. */
export async function kubectlKustomize(dir: string): Promise<object[]> {
  const result = await runOne(dir);
  if (!result.ok) throw new Error(`kubectl kustomize ${dir} failed:\n${result.error}`);
  return result.objects;
}

/**
 * Runs `kubectl kustomize` on every directory, at most `concurrency` (2-4) at a time; the results
 * come back in the order of `dirs`. Never rejects for a refused build: that directory's result
 * says `ok: false` with kubectl's error output, so callers can also test what kubectl refuses.
 */
export async function kubectlKustomizeAll(dirs: readonly string[], concurrency = 3): Promise<KubectlKustomizeResult[]> {
  const width = Math.min(4, Math.max(2, Math.floor(concurrency)));
  const results: KubectlKustomizeResult[] = new Array(dirs.length);
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) {
      const i = next++;
      results[i] = await runOne(dirs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, dirs.length) }, worker));
  return results;
}

/** Where the cached variant keeps kubectl's outputs (ignored by git). */
export const kubectlCacheDir = resolve(import.meta.dirname, '../../node_modules/.cache/kubectl-kustomize');

/**
 * Like kubectlKustomizeAll, but a directory whose `inputs` (a digest of every file its build reads,
 * computed by the caller) was built before by the same kubectl is answered from the cache. Only
 * successful builds are kept, so a refused build is retried on every run.
 */
export async function kubectlKustomizeCached(requests: readonly { dir: string; inputs: string }[], concurrency = 3): Promise<KubectlKustomizeResult[]> {
  if (!kubectlPath || process.env.KUBECTL_KUSTOMIZE_CACHE === 'off') return kubectlKustomizeAll(requests.map((r) => r.dir), concurrency);
  const version = await kubectlVersion();
  const keys = requests.map((r) => createHash('sha256').update(`${version}\0${r.inputs}`).digest('hex'));
  const results: (KubectlKustomizeResult | undefined)[] = requests.map((r, i) => readCached(keys[i]!, r.dir));
  const missing = results.flatMap((result, i) => (result ? [] : [i]));
  const fresh = await kubectlKustomizeAll(missing.map((i) => requests[i]!.dir), concurrency);
  fresh.forEach((result, j) => {
    const i = missing[j]!;
    results[i] = result;
    if (result.ok) writeCached(keys[i]!, result.objects);
  });
  return results as KubectlKustomizeResult[];
}

function readCached(key: string, dir: string): KubectlKustomizeResult | undefined {
  try {
    return { dir, ok: true, objects: JSON.parse(readFileSync(join(kubectlCacheDir, `${key}.json`), 'utf8')) as object[] };
  } catch {
    return undefined;
  }
}

function writeCached(key: string, objects: object[]): void {
  mkdirSync(kubectlCacheDir, { recursive: true });
  // Written aside and renamed, so a concurrent reader never sees half a file.
  const temp = join(kubectlCacheDir, `${key}.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(objects));
  renameSync(temp, join(kubectlCacheDir, `${key}.json`));
}

let versionText: Promise<string> | undefined;
/** `kubectl version --client` (the dispatcher kubectl may pick another release), once per process. */
function kubectlVersion(): Promise<string> {
  versionText ??= new Promise((done) => {
    execFile(kubectlPath!, ['version', '--client'], { encoding: 'utf8' }, (err, stdout) => done(err ? `unknown ${kubectlPath}` : stdout.trim()));
  });
  return versionText;
}

function runOne(dir: string): Promise<KubectlKustomizeResult> {
  if (!kubectlPath) return Promise.resolve({ dir, ok: false, error: 'kubectl is not on PATH' });
  return new Promise((done) => {
    execFile(kubectlPath, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        done({ dir, ok: false, error: (stderr || err.message).trim() });
        return;
      }
      try {
        done({ dir, ok: true, objects: parseObjects(stdout) });
      } catch (e) {
        done({ dir, ok: false, error: `unparsable kubectl output: ${(e as Error).message}` });
      }
    });
  });
}

/** The non-empty documents of a multi-document YAML stream. */
export function parseObjects(text: string): object[] {
  const objects: object[] = [];
  yaml.loadAll(text, (doc) => {
    if (doc !== null && doc !== undefined) objects.push(doc as object);
  }, { schema: yaml.CORE_SCHEMA });
  return objects;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
