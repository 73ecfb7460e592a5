/**
 * The oracle of the strategic-merge tests: `kubectl kustomize` (Kustomize v5.5) on target
 * objects and patch files. A run costs 0.3-0.8 s on a small machine, mostly process start, so
 * the cases are built together as one kustomization (each target renamed case-<i>, each patch
 * naming its own); only cases expected to be refused, whose error would stop the others, are
 * built alone, a few at a time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { scratchDir } from '../scratch.js';

export const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface KubectlCase {
  target: Record<string, unknown>;
  /** The patch without apiVersion, kind and metadata.name (added from the target), or its YAML body when the case needs exact spelling. */
  patch: Record<string, unknown> | string;
  /** Kustomize is expected to refuse it: built alone, so that its refusal stops no other case. */
  alone?: boolean;
}

/** What kubectl printed: the patched object, nothing (the patch deleted it), or its refusal. */
export type KubectlResult = { object: Record<string, unknown> | undefined } | { error: string };

/**
 * Runs the cases through kubectl kustomize, results in the cases' order. The cases are built
 * together, as one kustomization of every target (each renamed case-<i>) and every patch,
 * except those marked `alone`; if that build fails, every case is built on its own to tell
 * which one did. Names in the results are the cases' own again.
 */
export async function kustomizeCases(cases: readonly KubectlCase[]): Promise<KubectlResult[]> {
  const root = scratchDir('smp-kubectl-');
  try {
    const results: KubectlResult[] = new Array(cases.length);
    const together = cases.flatMap((c, i) => (c.alone ? [] : [i]));
    const alone = cases.flatMap((c, i) => (c.alone ? [i] : []));
    const runAlone = (indexes: number[]) =>
      pool(indexes, async (i) => {
        const out = await build(root, `alone-${i}`, [i], cases);
        results[i] = 'error' in out ? out : (out[0] as KubectlResult);
      });
    const [batch] = await Promise.all([build(root, 'together', together, cases), runAlone(alone)]);
    if ('error' in batch) {
      console.warn(`smp-kubectl: the cases built together were refused (${batch.error}); building each alone`);
      await runAlone(together);
    } else {
      together.forEach((i, k) => (results[i] = batch[k] as KubectlResult));
    }
    return results;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function pool(items: number[], work: (i: number) => Promise<void>, parallel = Math.max(4, cpus().length * 2)): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as number);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/** One kustomization of the given cases: their results, or a single refusal for all of them. */
async function build(root: string, name: string, indexes: number[], cases: readonly KubectlCase[]): Promise<KubectlResult[] | { error: string }> {
  if (indexes.length === 0) return [];
  const dir = join(root, name);
  mkdirSync(dir);
  const names = new Map<string, number>();
  const resources: string[] = [];
  const patches: string[] = [];
  for (const i of indexes) {
    const c = cases[i] as KubectlCase;
    const caseName = `case-${i}`;
    names.set(caseName, i);
    const target = { ...c.target, metadata: { ...(c.target.metadata as Record<string, unknown>), name: caseName } };
    const head = `apiVersion: ${String(c.target.apiVersion)}\nkind: ${String(c.target.kind)}\n`;
    let patch: string;
    if (typeof c.patch === 'string') {
      patch = `${head}metadata:\n  name: ${caseName}\n${c.patch}`;
    } else {
      const p = c.patch;
      patch = yaml.dump({ apiVersion: c.target.apiVersion, kind: c.target.kind, ...p, metadata: { ...(p.metadata as Record<string, unknown> | undefined), name: caseName } }, { noRefs: true });
    }
    writeFileSync(join(dir, `t${i}.yaml`), yaml.dump(target, { noRefs: true }));
    writeFileSync(join(dir, `p${i}.yaml`), patch);
    resources.push(`- t${i}.yaml`);
    patches.push(`- path: p${i}.yaml`);
  }
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${resources.join('\n')}\npatches:\n${patches.join('\n')}\n`);
  const out = await kustomize(dir);
  if ('error' in out) return out;
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const doc of out.docs) {
    const metadata = doc.metadata as Record<string, unknown>;
    const i = names.get(String(metadata.name));
    if (i === undefined) throw new Error(`kubectl kustomize printed an object of no case: ${String(metadata.name)}`);
    byIndex.set(i, { ...doc, metadata: { ...metadata, name: (cases[i]?.target.metadata as Record<string, unknown>).name } });
  }
  return indexes.map((i) => ({ object: byIndex.get(i) }));
}

function kustomize(dir: string): Promise<{ docs: Record<string, unknown>[] } | { error: string }> {
  return new Promise((done, fail) => {
    const child = spawn('kubectl', ['kustomize', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return done({ error: Buffer.concat(err).toString().trim() });
      const docs = yaml.loadAll(Buffer.concat(out).toString()).filter((d) => d !== null && d !== undefined);
      done({ docs: docs as Record<string, unknown>[] });
    });
  });
}
