/** Temporary git repositories holding the example project, checked with the real git CLI. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { cli, snapshotDir, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { startGitServer, type GitServer } from './http-backend.js';

/** Fixed identities and dates, so commits (and this suite) do not depend on the clock or the machine's git config. */
export const gitEnv: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Dry Author',
  GIT_AUTHOR_EMAIL: 'dry@example.com',
  GIT_COMMITTER_NAME: 'Dry Committer',
  GIT_COMMITTER_EMAIL: 'dry-committer@example.com',
  GIT_AUTHOR_DATE: '2024-05-01T10:00:00+02:00',
  GIT_COMMITTER_DATE: '2024-05-01T10:00:00+02:00',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

const BRIDGE_VARS = /^(GIT_(AUTHOR|COMMITTER)_|GITOPS_BRIDGE_GIT_|GITHUB_TOKEN$)/;

/** Env for gitops-bridge processes: none of the caller's identities or tokens, plus `extra`. */
export function bridgeEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!BRIDGE_VARS.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function gitResult(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `git fsck --full --strict`: exit 0 and no error lines (dangling objects are fine). */
export function expectFsckClean(cwd: string): void {
  const r = gitResult(cwd, 'fsck', '--full', '--strict', '--no-dangling');
  expect(r.stderr + r.stdout).not.toMatch(/error|missing|broken|corrupt|bad /i);
  expect(r.code).toBe(0);
}

export function tip(cwd: string, ref = 'refs/heads/rendered'): string | undefined {
  const r = gitResult(cwd, 'rev-parse', '--verify', '-q', ref);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export interface Repo {
  root: string;
  cleanup: () => void;
  /** Commits everything on main with the given message. */
  commitAll: (message: string) => string;
}

let template: Promise<string> | undefined;

/** Removes the template repository exampleRepo() copies from; call in afterAll. */
export async function removeTemplate(): Promise<void> {
  const t = template;
  template = undefined;
  if (t) rmSync(await t, { recursive: true, force: true });
}

/** The example project rendered with the code under test (so a stale rendered/ elsewhere does not matter) and committed once. */
async function exampleTemplate(): Promise<string> {
  const p = tempProject();
  const r = await cli(['--root', p.root, 'render', '-q']);
  if (r.code !== 0) throw new Error(`render failed: ${r.stderr}`);
  git(p.root, 'init', '-q', '-b', 'main');
  git(p.root, 'config', 'core.autocrlf', 'false');
  git(p.root, 'add', '-A');
  git(p.root, 'commit', '-q', '-m', 'Add the fleet\n\nFirst body line.\nSecond body line.');
  return p.root;
}

/** A fresh repository on `main` holding the rendered example project in one commit (a copy of a template made once per test file). */
export async function exampleRepo(options: { origin?: string } = {}): Promise<Repo> {
  template ??= exampleTemplate();
  const source = await template;
  const root = scratchDir('gitops-bridge-repo-');
  cpSync(source, root, { recursive: true });
  if (options.origin) git(root, 'remote', 'add', 'origin', options.origin);
  const commitAll = (message: string) => {
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '--allow-empty', '-m', message);
    return git(root, 'rev-parse', 'HEAD').trim();
  };
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }), commitAll };
}

/**
 * exampleRepo() for a test file: each repository it makes is removed after its test, the
 * template after the file. Call at the top level of the file.
 */
export function repoPerTest(): (options?: { origin?: string }) => Promise<Repo> {
  let repos: Repo[] = [];
  afterEach(() => {
    repos.forEach((r) => r.cleanup());
    repos = [];
  });
  afterAll(removeTemplate);
  return async (options) => {
    const r = await exampleRepo(options);
    repos.push(r);
    return r;
  };
}

/** Sets dev/catalog-api's cache TTL in its dev overlay, renders, and commits everything on the current branch. */
export async function commitTtl(root: string, value: string): Promise<void> {
  const file = join(root, 'manifests/apps/catalog-api/overlays/dev.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, `CACHE_TTL_SECONDS: "${value}"`));
  expect((await cli(['--root', root, 'render', '-q'])).code).toBe(0);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', `TTL ${value}`);
}

/** Runs rendered-commit in-process, with `env` in place of the caller's identities and tokens. */
export async function renderedCommit(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (BRIDGE_VARS.test(k)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await cli(['--root', root, 'rendered-commit', ...args]);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** The files of a commit's tree: path -> blob id (`git ls-tree -r`). */
export function lsTree(cwd: string, rev: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of git(cwd, 'ls-tree', '-r', '-z', rev).split('\0')) {
    if (!line) continue;
    const [meta, path] = line.split('\t') as [string, string];
    out.set(path, meta.split(' ')[2]!);
  }
  return out;
}

/** rendered/ on disk as path -> blob id, hashed by git itself. */
export function renderedBlobs(root: string): Map<string, string> {
  const paths = [...snapshotDir(join(root, 'rendered')).keys()];
  const oids = execFileSync('git', ['hash-object', '--stdin-paths'], { cwd: root, input: paths.map((p) => `rendered/${p}`).join('\n') + '\n', encoding: 'utf8' }).trim().split('\n');
  return new Map(paths.map((p, i) => [p, oids[i]!]));
}

/** Edits one file with a string replacement, failing loudly when the text is not there. */
export function replaceInFile(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

/**
 * A git server (http-backend.ts) on a scratch directory for a test file: started before its
 * tests, closed after them with the `cleanups` they registered and the example's template.
 * Call at the top level of the file.
 */
export function gitServerPerFile(token: string): { readonly dir: string; readonly server: GitServer; cleanups: (() => void)[] } {
  const state = { dir: '', server: undefined as unknown as GitServer, cleanups: [] as (() => void)[] };
  beforeAll(async () => {
    state.dir = scratchDir('gitops-bridge-served-');
    state.cleanups.push(() => rmSync(state.dir, { recursive: true, force: true }));
    state.server = await startGitServer(state.dir, token);
  });
  afterAll(async () => {
    await state.server.close();
    state.cleanups.forEach((c) => c());
    await removeTemplate();
  });
  return state;
}
