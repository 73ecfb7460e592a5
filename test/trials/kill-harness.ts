/**
 * Kill trials for rendered/'s writer: a process changing rendered/ from the old tree to the new
 * one (kill-child.ts, the real lock and writer) is killed with SIGKILL at a random moment of its
 * write (half of the kills aimed at its second half, where the plan is applied). Each time:
 *  - `git status --porcelain` shows nothing but rendered/'s own files: no journal, staged tree,
 *    temporary file or lock in git's view;
 *  - rendered/ is the old tree or the new one, or a committed journal is pending (the window of
 *    the renames: rendered-writer.ts, from its commit to its last rename, so possibly with the old
 *    tree still whole), which the next command (Workspace.lock, which recovers) finishes to the
 *    new tree;
 *  - after that next command: the old or new tree exactly, the killed run's lock taken over, and
 *    nothing left in the work directory but its .gitignore.
 * Shared by the quick test in `npm test` and the 100-kill trial (`npm run trials`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { Workspace } from '../../generators/workspace/workspace.js';
import { pendingJournal } from '../../generators/workspace/rendered-writer.js';
import { readTree, treeOf } from './kill-trees.js';

export interface KillOutcome {
  /** What rendered/ was right after the kill. */
  after: 'old' | 'new' | 'pending' | 'finished';
  problems: string[];
}

const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A git repository whose rendered/ holds the old tree, committed. */
export function makeTemplate(): string {
  const root = scratchDir('gitops-bridge-kill-');
  mkdirSync(join(root, 'manifests'));
  writeFileSync(join(root, 'package.json'), '{}\n');
  for (const [path, text] of treeOf('old')) {
    mkdirSync(join(root, 'rendered', path, '..'), { recursive: true });
    writeFileSync(join(root, 'rendered', path), text);
  }
  git(root, 'init', '-q');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'old');
  return root;
}

let childJs: string | undefined;

/**
 * kill-child.ts bundled to one JavaScript file with esbuild (a dependency; the build tool of
 * generators/cli/build.mjs): a killed process then starts on plain Node in tens of milliseconds,
 * not through tsx's loader. Only types are stripped: the code that runs is the code under test.
 */
async function childScript(): Promise<string> {
  if (childJs) return childJs;
  const { build } = await import('esbuild');
  const dir = scratchDir('gitops-bridge-kill-child-');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const out = join(dir, 'kill-child.mjs');
  await build({ entryPoints: [join(repoRoot, 'test/trials/kill-child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, packages: 'external', logLevel: 'silent' });
  return (childJs = out);
}

/** Runs kill-child.ts in `root`; it is killed `killAfterMs` after it starts writing (undefined: never). */
export async function runChild(root: string, killAfterMs?: number): Promise<{ writeMs: number; killed: boolean }> {
  const script = await childScript();
  return await new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, root, 'new', ...(killAfterMs === undefined ? [] : [killAfterMs.toFixed(1)])], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let writeMs = 0;
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /done (\S+)/.exec(out);
      if (m) writeMs = Number(m[1]);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) return fail(new Error(`kill-child exited ${code}: ${err}`));
      done({ writeMs, killed: signal === 'SIGKILL' });
    });
  });
}

/** One trial on a copy of `template`, killed `killAfterMs` into the write. */
export async function killTrial(template: string, killAfterMs: number): Promise<KillOutcome> {
  const root = scratchDir('gitops-bridge-kill-run-');
  rmSync(root, { recursive: true, force: true });
  cpSync(template, root, { recursive: true });
  const problems: string[] = [];
  try {
    await runChild(root, killAfterMs);
    const dir = join(root, 'rendered');
    const seen = git(root, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
    const outside = seen.filter((l) => !l.slice(3).startsWith('rendered/'));
    if (outside.length) problems.push(`git sees more than rendered/: ${outside.slice(0, 3).join(', ')}`);
    if (!existsSync(dir)) problems.push('rendered/ is missing');
    const now = readTree(dir);
    const oldTree = treeOf('old');
    const newTree = treeOf('new');
    // A kill between the journal's commit (plan.json) and its first rename leaves the old tree with
    // a committed journal: pending too, which the next command finishes to the new tree.
    const journal = pendingJournal(dir);
    let after: KillOutcome['after'] = same(now, newTree) ? 'new' : same(now, oldTree) && !journal ? 'old' : 'pending';
    if (after === 'pending' && !journal) problems.push('rendered/ is a mix of old and new with no journal to finish it');
    // The next command: takes the lock (the killed run's, stale) at once and recovers.
    const release = await new Workspace(root).lock('check', { waitMs: 0 });
    release();
    const next = readTree(dir);
    if (after === 'pending') {
      if (same(next, newTree)) after = 'finished';
      else problems.push('the next command did not finish the pending journal to the new tree');
    } else if (!same(next, after === 'old' ? oldTree : newTree)) problems.push('the next command changed a whole tree');
    const left = readdirSync(join(root, '.cache/gitops-bridge')).filter((n) => n !== '.gitignore');
    if (left.length) problems.push(`left in the work directory: ${left.join(', ')}`);
    const status = git(root, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
    if (status.some((l) => !l.slice(3).startsWith('rendered/'))) problems.push('git sees more than rendered/ after the next command');
    return { after, problems };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `n` trials: kills spread over an uninterrupted write's duration (as the child times it), half of
 * them late in it. One at a time by default: trials side by side slow each other's writes, and
 * the kills would land early.
 */
export async function killTrials(n: number, parallel = 1): Promise<{ outcomes: KillOutcome[]; writeMs: number }> {
  const template = makeTemplate();
  try {
    const probe = scratchDir('gitops-bridge-kill-probe-');
    rmSync(probe, { recursive: true, force: true });
    cpSync(template, probe, { recursive: true });
    const { writeMs } = await runChild(probe);
    rmSync(probe, { recursive: true, force: true });
    // Every other kill falls in the second half of the write, where the plan is applied.
    const delays = Array.from({ length: n }, (_, i) => writeMs * (i % 2 === 1 ? 0.6 + 0.6 * Math.random() : 1.2 * Math.random()));
    const outcomes: KillOutcome[] = [];
    for (let i = 0; i < n; i += parallel) outcomes.push(...(await Promise.all(delays.slice(i, i + parallel).map((d) => killTrial(template, d)))));
    return { outcomes, writeMs };
  } finally {
    rmSync(template, { recursive: true, force: true });
  }
}
