/** Test helpers: temporary copies of the example project, and the CLI run as a user runs it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { run } from '../generators/cli/main.js';

export const repoRoot = resolve(import.meta.dirname, '..');

/** A throwaway copy of the project's inputs and rendered/ (no node_modules), removed by cleanup(). */
export function tempProject(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'gitops-bridge-test-'));
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

/** Runs the CLI as a separate process through tsx, the way `npm run` does. */
export function cliProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'generators/cli/bin.mjs'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
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
