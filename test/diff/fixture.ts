/** A copy of the example project in a fresh git repository, with rendered/ committed. */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cli, repoRoot, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export interface RepoProject {
  root: string;
  cleanup(): void;
  path(rel: string): string;
  read(rel: string): string;
  edit(rel: string, fn: (text: string) => string): void;
  git(...args: string[]): string;
  commitAll(message: string): string;
  diff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

const gitIn = (root: string) => (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: GIT_ENV });

let template: Promise<string> | undefined;

/**
 * The example project, re-rendered (so the baseline is what the generators make today, even
 * while rendered/ in the working copy lags behind) and committed on branch main: made once per
 * test file, since rendering and committing it is most of a test's set-up.
 */
async function exampleTemplate(): Promise<string> {
  const { root } = tempProject();
  const rendered = await cli(['--root', root, 'render', '--quiet']);
  if (rendered.code !== 0) throw new Error(`render of the example failed: ${rendered.stderr}`);
  const git = gitIn(root);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'example fleet');
  return root;
}

/** Removes the template repoProject() copies from; call in afterAll. */
export async function removeRepoTemplate(): Promise<void> {
  const t = template;
  template = undefined;
  if (t) rmSync(await t, { recursive: true, force: true });
}

/** A fresh copy of the rendered example fleet, committed on main in its own repository. */
export async function repoProject(): Promise<RepoProject> {
  template ??= exampleTemplate();
  const source = await template;
  const root = scratchDir('gitops-bridge-test-');
  cpSync(source, root, { recursive: true });
  const git = gitIn(root);
  const path = (rel: string) => join(root, rel);
  const project: RepoProject = {
    root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
    path,
    read: (rel) => readFileSync(path(rel), 'utf8'),
    edit(rel, fn) {
      const before = readFileSync(path(rel), 'utf8');
      const after = fn(before);
      if (after === before) throw new Error(`edit of ${rel} changed nothing`);
      writeFileSync(path(rel), after);
    },
    git,
    commitAll(message) {
      git('add', '-A');
      git('commit', '-q', '--no-verify', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    diff: (...args) => cli(['--root', root, 'diff', ...args]),
  };
  return project;
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** Validates `npm run diff -- --format json` output against schemas/diff.schema.json. */
export function validateDiffJson(value: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/diff.schema.json'), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
  }
  return validator(value) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
