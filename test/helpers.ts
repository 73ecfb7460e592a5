/** Test helpers: temporary copies of the example project, and the CLI run as a user runs it. */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { run } from '../generators/cli/main.js';
import type { RenderResult } from '../generators/render/pipeline.js';
import { scratchDir } from './scratch.js';

export const repoRoot = resolve(import.meta.dirname, '..');

/** A throwaway copy of the project's inputs and rendered/ (no node_modules), removed by cleanup(). */
export function tempProject(): { root: string; cleanup: () => void } {
  const root = scratchDir('gitops-bridge-test-');
  for (const entry of ['manifests', 'infra/outputs', 'rendered', 'package.json']) {
    cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
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

/** A complete render of `files` (path under rendered/ -> content), its units taken from the paths. */
export function renderResult(files: Record<string, string>): RenderResult {
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
