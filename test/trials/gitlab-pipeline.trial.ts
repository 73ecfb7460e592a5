/**
 * A merge request's pipeline of .gitlab-ci.yml, run for real by gitlab-ci-local: `check` runs
 * `npm run check`, the type check and the tests (narrowed with TEST_FILTER to one file: the whole
 * suite has just run in `npm test`) on the repository's installed packages (its `npm ci` stood in
 * by NPM_INSTALL: a second full install would build gitlab-ci-local's re2 from source again,
 * 13 minutes on this busy machine), and `diff-comment` runs its real `npm ci --omit=dev` in a clone
 * without node_modules and posts the diff note to a fake GitLab API on 127.0.0.1. Minutes, so a
 * trial (`npm run trials`), not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../generators/diff/format-markdown.js';
import { repoRoot } from '../helpers.js';
import { SCRATCH_ENV } from '../scratch.js';
import { startFakeForge, type FakeForge } from '../forge/fake-forge.js';
import { git } from '../git/git-helpers.js';
import { startGitServer, type GitServer } from '../git/http-backend.js';
import { ciClone, forgeRepo, gitlabCiLocalMissing, runJob } from '../ci/pipeline-helpers.js';

const skip = gitlabCiLocalMissing();
const API_TOKEN = 'glpat-trial-Kd8Jf7Hg6';
const JOB_TOKEN = 'job-trial-Lm5Nb4Vc3';

let base: string;
let previousScratch: string | undefined;
let gitServer: GitServer;
let api: FakeForge;
let clone: { clone: string; cleanup: () => void };
let linked: { clone: string; cleanup: () => void };

beforeAll(async () => {
  if (skip) return;
  // Two installs of node_modules do not belong on the tests' RAM disk.
  base = mkdtempSync(join(tmpdir(), 'gitops-bridge-gitlab-trial-'));
  previousScratch = process.env[SCRATCH_ENV];
  process.env[SCRATCH_ENV] = base;
  gitServer = await startGitServer(base, JOB_TOKEN);
  api = await startFakeForge(API_TOKEN);
  const bare = forgeRepo(base, 'fleet');
  clone = ciClone(bare, gitServer.url('fleet.git'), JOB_TOKEN, 'feature', { linkModules: false });
  const overlay = join(clone.clone, 'manifests/apps/catalog-api/overlays/dev.yaml');
  writeFileSync(overlay, readFileSync(overlay, 'utf8').replace(/LOG_LEVEL: debug/, 'LOG_LEVEL: info'));
  // the developer renders before pushing (with this repository's CLI: the clone has no packages yet)
  execFileSync(process.execPath, [join(repoRoot, 'generators/cli/bin.mjs'), '--root', clone.clone, 'render', '-q']);
  git(clone.clone, 'commit', '-q', '-am', 'LOG_LEVEL info in dev');
  linked = ciClone(bare, gitServer.url('fleet.git'), JOB_TOKEN, 'feature');
});
afterAll(async () => {
  if (skip) return;
  await api?.close();
  await gitServer?.close();
  linked?.cleanup();
  if (previousScratch === undefined) delete process.env[SCRATCH_ENV];
  else process.env[SCRATCH_ENV] = previousScratch;
  rmSync(base, { recursive: true, force: true });
});

const mergeRequest = {
  CI_PIPELINE_SOURCE: 'merge_request_event',
  CI_MERGE_REQUEST_IID: '3',
  CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
  CI_PROJECT_ID: '42',
  CI_API_V4_URL: '', // set once the fake API is up
  GITLAB_TOKEN: API_TOKEN,
  // GitLab's cache would bring .npm/ back; here the machine's npm cache stands for it
  npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
};

describe.skipIf(skip)('a merge request pipeline under gitlab-ci-local, installs included', () => {
  it('check: npm run check, the type check and the (narrowed) tests pass', async () => {
    const r = await runJob(linked.clone, 'check', { ...mergeRequest, CI_API_V4_URL: `${api.url}/api/v4`, TEST_FILTER: 'test/forge/comment.test.ts', NPM_INSTALL: 'true' });
    expect(r.output).toMatch(/\$ npm run typecheck/);
    expect(r.output).toMatch(/Tests\s+\d+ passed/);
    expect(r.output).toMatch(/PASS\s+check/);
    expect(r.code).toBe(0);
  }, 600_000);

  it('diff-comment: npm ci --omit=dev, then one note with the diff', async () => {
    const r = await runJob(clone.clone, 'diff-comment', { ...mergeRequest, CI_API_V4_URL: `${api.url}/api/v4` }, { schema: false });
    expect(r.output).toMatch(/\$ \$NPM_INSTALL_RUNTIME\n[\s\S]*added \d+ packages/);
    expect(existsSync(join(clone.clone, 'node_modules/vitest'))).toBe(false); // npm ci --omit=dev
    expect(r.output).toMatch(/created note \d+ on merge request !3 of project 42/);
    expect(r.code).toBe(0);
    const notes = api.threads.get('gitlab:42!3')!;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(notes[0]!.body).toContain('LOG_LEVEL: info');
    expect(r.output).not.toContain(API_TOKEN);
  });
});
