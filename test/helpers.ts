/** Test helpers: temporary copies of the example project, and the CLI run as a user runs it. */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { run } from '../generators/cli/main.js';
import { blobId } from '../generators/core/hash.js';
import { compareFiles, type FileChanges } from '../generators/engine/changes.js';
import { inProcessExecutor, renderFleet, type Rendering, type RenderSummary, type UnitCache, type UnitRecord } from '../generators/engine/engine.js';
import type { Selection } from '../generators/engine/units.js';
import type { DeclaredSchemas } from '../generators/check/declared-schemas.js';
import type { Fleet } from '../generators/load/fleet.js';
import { recoverRendered } from '../generators/workspace/rendered-writer.js';
import { afterEach, beforeEach, expect } from 'vitest';
import { loadDeclaredSchemas } from '../generators/check/declared-schemas.js';
import { pooledExecutor } from '../generators/threads/workers.js';
import { codeKey } from '../generators/workspace/code-key.js';
import { readFleet } from '../generators/workspace/fleet.js';
import { readSources } from '../generators/workspace/inputs.js';
import { scratchDir } from './scratch.js';

export const repoRoot = resolve(import.meta.dirname, '..');

/** A unit cache in memory (records copied in and out, as a disk cache would), for engine tests. */
export class MemoryCache implements UnitCache {
  readonly units = new Map<string, [string, UnitRecord]>();
  get(unit: string, key: string) {
    const e = this.units.get(unit);
    return e && e[0] === key ? structuredClone(e[1]) : undefined;
  }
  set(unit: string, key: string, record: UnitRecord) {
    this.units.set(unit, [key, structuredClone(record)]);
  }
}

/** A throwaway copy of the project's inputs and rendered/ (no node_modules), removed by cleanup(). */
export function tempProject(): { root: string; cleanup: () => void } {
  const root = scratchDir('gitops-bridge-test-');
  for (const entry of ['manifests', 'infra/outputs', 'rendered', 'package.json']) {
    cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * A fresh copy of the example project for every test of the file (registers beforeEach and
 * afterEach), with `before`, rendered/ as the test starts (tests may take it again), and the
 * helpers bad-input tests use: a path in the copy, an edit, the line of a text.
 */
export function eachExampleProject() {
  let current: { root: string; cleanup: () => void } | undefined;
  const project = {
    root: '',
    before: new Map<string, string>(),
    path: (rel: string) => join(project.root, rel),
    edit: (rel: string, fn: (text: string) => string) => editFile(project.path(rel), fn),
    /** 1-based line of the first line (from line index `from`) of a file that contains `text`; 0 if none. */
    lineOf: (rel: string, text: string, from = 0) => readFileSync(project.path(rel), 'utf8').split('\n').findIndex((l, i) => i >= from && l.includes(text)) + 1,
  };
  beforeEach(() => {
    current = tempProject();
    project.root = current.root;
    project.before = snapshotDir(join(current.root, 'rendered'));
  });
  afterEach(() => current?.cleanup());
  return project;
}

/** Runs the CLI in-process; returns exit code and output. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), exit: () => undefined });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Runs the CLI as a separate process (bin.mjs: its build in dist/), the way `npm run` does (without blocking: other work can overlap it). */
export function cliProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repoRoot, 'generators/cli/bin.mjs'), ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file under dir, relative path -> bytes as a string. */
export function snapshotDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** Rewrites a file through `fn` (the edit a user makes to an input or a rendered file). */
export function editFile(file: string, fn: (text: string) => string): void {
  writeFileSync(file, fn(readFileSync(file, 'utf8')));
}

/** A render as tests look at it: every file's content, and every object with its source. */
export type ReferenceRender = RenderSummary & Pick<Rendering, 'rendered' | 'check' | 'stats'> & { files: Map<string, string> };

/**
 * The reference render: the engine with no cache, in this thread, keeping the objects; every
 * file's content in `files`. What the fast paths (cache, threads, the CLI's reuse of the last
 * run) are held to.
 */
export async function referenceRender(fleet: Fleet, selection: Selection = {}, declared?: DeclaredSchemas): Promise<ReferenceRender> {
  const r = await renderFleet(fleet, selection, { executor: inProcessExecutor(declared, { keepObjects: true }), codeKey: 'reference', ...(declared && { declared }) });
  if (r.contents.size !== r.files.size) throw new Error('the reference render lacks contents');
  const { files: _ids, contents, ...rest } = r;
  return { ...rest, files: new Map([...r.files.keys()].map((p) => [p, contents.get(p)!])) };
}

const summaryOf = ({ units, complete, environments, tiers, apps, deployments, objects }: RenderSummary): RenderSummary => ({ units, complete, environments, tiers, apps, deployments, objects });

/**
 * The engine over the project at `root` as it is now (its charts compiled), with `cache` and in
 * this thread or across worker threads, held to the reference: the same files, contents, check
 * report and summary. Returns the engine's rendering (its stats say what was rendered).
 */
export async function expectSameAsReference(root: string, cache: UnitCache | undefined, executor: 'in-process' | 'workers' = 'in-process'): Promise<Rendering> {
  const sources = readSources(root);
  const fleet = readFleet(root);
  const declared = loadDeclaredSchemas(sources);
  const declaredSources = [...sources].filter(([f]) => f.startsWith('schemas/crds/'));
  const reference = await referenceRender(fleet, {}, declared);
  const r = await renderFleet(fleet, {}, {
    ...(cache && { cache }),
    codeKey: codeKey(declaredSources),
    executor: executor === 'workers' ? pooledExecutor(declared, { threads: 3, minUnits: 1, declaredSources }) : inProcessExecutor(declared),
    ...(declared && { declared }),
  });
  expect([...r.files.keys()]).toEqual([...reference.files.keys()]);
  for (const [path, id] of r.files) expect(id, path).toBe(blobId(reference.files.get(path)!));
  for (const [path, content] of r.contents) expect(content, path).toBe(reference.files.get(path));
  expect(r.check).toEqual(reference.check);
  expect(summaryOf(r)).toEqual(summaryOf(reference));
  return r;
}

/** rendered/ as it is once any interrupted write is finished: path -> content. */
export function readRendered(dir: string): Map<string, string> {
  recoverRendered(dir);
  if (!statSync(dir, { throwIfNoEntry: false })) return new Map();
  const out = new Map<string, string>();
  for (const [path, text] of snapshotDir(dir)) out.set(path, Buffer.from(text, 'latin1').toString('utf8'));
  return out;
}

/** What writing `result` over `current` (path -> content) changes, as the engine's compareFiles says. */
export function diffRendered(current: Map<string, string>, result: { files: Map<string, string> } & Pick<RenderSummary, 'complete' | 'units' | 'environments'>): FileChanges {
  return compareFiles(
    new Map([...current].map(([p, t]) => [p, { hash: () => blobId(t) }])),
    new Map([...result.files].map(([p, t]) => [p, blobId(t)])),
    result.files,
    result,
  );
}

/** A complete render of `files` (path under rendered/ -> content), its units taken from the paths. */
export function renderResult(files: Record<string, string>): { files: Map<string, string> } & Omit<RenderSummary, 'tiers'> {
  return {
    files: new Map(Object.entries(files)),
    units: new Set(Object.keys(files).map((p) => p.split('/').slice(0, 2).join('/'))),
    complete: true,
    environments: ['dev'],
    apps: 1,
    deployments: 1,
    objects: Object.keys(files).length,
  };
}
