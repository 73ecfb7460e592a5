/**
 * Running this repository's CI definitions for real: a copy of the repository (its tracked and
 * new files, as they are in the working tree) committed to a bare "forge" repository served by
 * `git http-backend`, a CI clone of it, and `gitlab-ci-local` (a devDependency) running jobs of
 * .gitlab-ci.yml in that clone in shell mode, with the forge's variables pointed at loopback
 * servers.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { bridgeEnv, git, gitEnv } from '../git/git-helpers.js';

/** Why gitlab-ci-local cannot run here (it needs rsync), or undefined when it can. */
export function gitlabCiLocalMissing(): string | undefined {
  if (!existsSync(join(repoRoot, 'node_modules/.bin/gitlab-ci-local'))) return 'gitlab-ci-local is not installed (a devDependency: run npm ci)';
  if (spawnSync('rsync', ['--version']).status !== 0) return "gitlab-ci-local's shell executor needs rsync, which is not installed: apt-get install -y rsync (.ci/run does it when it runs as root)";
  return undefined;
}

/** The repository's files as the working tree has them (tracked and new, not ignored). */
function projectFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(repoRoot, f)));
}

/** A bare repository holding this repository on `main`, as `<name>.git` under `served`. */
export function forgeRepo(served: string, name: string): string {
  const source = scratchDir('gitops-bridge-forge-src-');
  for (const f of projectFiles()) {
    mkdirSync(join(source, f, '..'), { recursive: true });
    cpSync(join(repoRoot, f), join(source, f));
  }
  git(source, 'init', '-q', '-b', 'main');
  git(source, 'add', '-A');
  git(source, 'commit', '-q', '-m', 'The fleet');
  const bare = join(served, `${name}.git`);
  git(served, 'clone', '-q', '--bare', source, bare);
  git(bare, 'config', 'http.receivepack', 'true');
  rmSync(source, { recursive: true, force: true });
  return bare;
}

/**
 * A CI clone of `bare` on `branch`, whose origin is `url` carrying the token (as GitLab's clone
 * carries the job token; the test git server's user name is x-access-token). It uses the
 * repository's node_modules and CLI build unless `linkModules` is false (a job then installs
 * them itself). Removed by cleanup().
 */
export function ciClone(bare: string, url: string, token: string, branch = 'main', options: { linkModules?: boolean } = {}): { clone: string; cleanup: () => void } {
  const clone = scratchDir('gitops-bridge-ci-clone-');
  git(clone, 'clone', '-q', `file://${bare}`, '.');
  git(clone, 'remote', 'set-url', 'origin', url.replace('://', `://x-access-token:${token}@`));
  if (branch !== 'main') git(clone, 'checkout', '-q', '-b', branch);
  if (options.linkModules === false) return { clone, cleanup: () => rmSync(clone, { recursive: true, force: true }) };
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
  if (existsSync(join(repoRoot, 'dist'))) cpSync(join(repoRoot, 'dist'), join(clone, 'dist'), { recursive: true });
  return { clone, cleanup: () => rmSync(clone, { recursive: true, force: true }) };
}

export interface JobRun {
  code: number;
  /** gitlab-ci-local's output: the job's log, colour codes removed. */
  output: string;
}

/**
 * Runs one job of the clone's .gitlab-ci.yml with gitlab-ci-local in shell mode (images are not
 * pulled), with `variables` as CI/CD variables; HOME for gitlab-ci-local's own settings is a
 * fresh directory.
 */
export function runJob(cwd: string, job: string, variables: Record<string, string>, options: { schema?: boolean } = {}): Promise<JobRun> {
  const home = join(cwd, '.gitlab-ci-local-home');
  mkdirSync(home, { recursive: true });
  const args = [
    job,
    '--force-shell-executor',
    '--home',
    home,
    '--no-color',
    ...(options.schema === false ? ['--no-json-schema-validation'] : []),
    ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
  ];
  return new Promise((done, fail) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/gitlab-ci-local'), args, { cwd, env: bridgeEnv({ ...gitEnv, GITLAB_TOKEN: '', FORCE_COLOR: '0' }) });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, output: output.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}
