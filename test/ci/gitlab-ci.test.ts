/**
 * .gitlab-ci.yml as a definition: GitLab's own schema (gitlab-ci-local validates against it) and
 * the jobs each kind of pipeline gets, then what the repository relies on: images pinned by
 * digest, npm's cache keyed on the lockfile and kept out of the jobs that hold write or cloud
 * credentials, one rendered-branch writer at a time, OIDC for the cloud, and no secret in any
 * job line. The jobs themselves run in gitlab-pipeline.test.ts and the trial.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { bridgeEnv, git, gitEnv } from '../git/git-helpers.js';
import { gitlabCiLocalMissing } from './pipeline-helpers.js';

interface Job {
  script?: string[];
  rules?: { if: string }[];
  cache?: unknown;
  image?: string;
  extends?: string;
  resource_group?: string;
  interruptible?: boolean;
  id_tokens?: Record<string, { aud: string }>;
  parallel?: { matrix: Record<string, string[]>[] };
  variables?: Record<string, string>;
  allow_failure?: unknown;
}
const text = readFileSync(join(repoRoot, '.gitlab-ci.yml'), 'utf8');
const ci = yaml.load(text) as Record<string, Job> & { default: { image: string }; variables: Record<string, string>; workflow: unknown };
const job = (name: string) => ({ ...(ci[name]!.extends ? ci[ci[name]!.extends!] : {}), ...ci[name]! }) as Job;
const JOBS = ['check', 'diff-comment', 'rendered-branch', 'drift'];

describe('.gitlab-ci.yml', () => {
  it('pins every image by digest', () => {
    const images = [ci.default.image, ...Object.values(ci).map((j) => (j as Job).image)].filter((i): i is string => typeof i === 'string');
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) expect(i).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
  });

  it("keys npm's cache on the lockfile, and gives none to the jobs that can write or reach the cloud", () => {
    expect(job('check').cache).toEqual({ key: { prefix: 'npm', files: ['package-lock.json'] }, paths: ['.npm/'] });
    expect(job('diff-comment').cache).toEqual(job('check').cache);
    expect(ci.variables.npm_config_cache).toBe('$CI_PROJECT_DIR/.npm');
    expect(job('rendered-branch').cache).toEqual([]);
    expect(job('drift').cache).toEqual([]);
    expect(job('check').script![0]).toBe('$NPM_INSTALL');
    expect(ci.variables.NPM_INSTALL).toBe('npm ci --prefer-offline');
  });

  it('check: npm run check, the type check and the tests', () => {
    expect(job('check').script).toEqual(['$NPM_INSTALL', 'npm run check', 'npm run typecheck', 'npm run test:unit -- $TEST_FILTER']);
    expect(job('check').variables).toEqual({ TEST_FILTER: '' });
  });

  it('diff-comment: the diff against the target branch posted by the project code, with the full history', () => {
    expect(job('diff-comment').script!.at(-1)).toBe('npm run --silent diff -- --base "origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}" --post gitlab');
    expect(job('diff-comment').variables?.GIT_DEPTH).toBe('0');
  });

  it('rendered-branch: one pipeline at a time, never cancelled half-way, pushing with the project access token', () => {
    const j = job('rendered-branch');
    expect(j.resource_group).toBe('rendered-branch');
    expect(j.interruptible).toBe(false);
    expect(j.script!.at(-1)).toBe('npm run rendered:commit -- --push');
    expect(j.script).toContain('git remote set-url origin "${CI_SERVER_URL}/${CI_PROJECT_PATH}.git"'); // not the job token's URL
  });

  it('drift: every stack and the rendered branch, AWS and Pulumi Cloud through OIDC id_tokens only', () => {
    const j = job('drift');
    expect(j.parallel?.matrix).toEqual([{ DRIFT: ['rendered', 'dev', 'staging', 'prod'] }]);
    expect(j.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' }, PULUMI_ID_TOKEN: { aud: 'urn:pulumi:org:$PULUMI_ORGANIZATION' } });
    expect(j.script!.at(-1)).toBe('bash ci/drift.sh "$DRIFT"');
    expect(j.allow_failure).toEqual({ exit_codes: [3] }); // the rendered branch catching up
    expect(readdirStacks()).toEqual(['dev', 'prod', 'staging']);
  });

  it('keeps secrets out of the job lines: no stored cloud key, no token on a command line, no shell tracing', () => {
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|PULUMI_ACCESS_TOKEN|CI_DEBUG_TRACE/);
    const lines = JOBS.flatMap((n) => job(n).script ?? []);
    for (const l of lines) expect(l).not.toMatch(/TOKEN|set -x|printenv|\benv\b/);
  });
});

/** The stacks infra/ defines (Pulumi.<stack>.yaml): the drift matrix must cover them all. */
function readdirStacks(): string[] {
  return spawnSync('ls', [join(repoRoot, 'infra')], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

const skip = gitlabCiLocalMissing();
describe.skipIf(skip)('.gitlab-ci.yml as gitlab-ci-local reads it', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDir('gitops-bridge-gitlab-list-');
    copyFileSync(join(repoRoot, '.gitlab-ci.yml'), join(dir, '.gitlab-ci.yml'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'ci');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The jobs a pipeline of this kind runs (gitlab-ci-local --list-json, rules evaluated). */
  function jobsOf(variables: Record<string, string>, schema = false): string[] {
    const args = ['--list-json', '--home', join(dir, '.home'), ...(schema ? [] : ['--no-json-schema-validation']), ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`])];
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/gitlab-ci-local'), args, { cwd: dir, encoding: 'utf8', env: bridgeEnv(gitEnv) });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    return (JSON.parse(r.stdout.slice(r.stdout.indexOf('\n[') + 1)) as { name: string; when: string }[]).filter((j) => j.when !== 'never').map((j) => j.name);
  }

  it("validates against GitLab's schema; a merge request gets check and diff-comment", () => {
    expect(jobsOf({ CI_PIPELINE_SOURCE: 'merge_request_event' }, true)).toEqual(['check', 'diff-comment']);
  });
  it('a push to main gets check and rendered-branch; a schedule gets drift only', () => {
    expect(jobsOf({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' })).toEqual(['check', 'rendered-branch']);
    expect(jobsOf({ CI_PIPELINE_SOURCE: 'schedule' })).toEqual(['drift: [rendered]', 'drift: [dev]', 'drift: [staging]', 'drift: [prod]']);
  });
});
