/**
 * .gitlab-ci.yml run for real by gitlab-ci-local (shell mode), against loopback servers: the
 * `diff-comment` job of a merge request posts one note to a fake GitLab notes API and edits
 * that same note after the next push; `rendered-branch` on main pushes the rendered branch to
 * a git http-backend remote with the project access token. Bounded for `npm test`: the jobs'
 * install step (NPM_INSTALL_RUNTIME) is replaced by the repository's installed node_modules;
 * the real `npm ci` runs in the trial (test/trials/gitlab-pipeline.trial.ts), with `check`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../generators/diff/format-markdown.js';
import { cliProcess } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { startFakeForge, type FakeForge } from '../forge/fake-forge.js';
import { git, tip } from '../git/git-helpers.js';
import { startGitServer, type GitServer } from '../git/http-backend.js';
import { ciClone, forgeRepo, gitlabCiLocalMissing, runJob } from './pipeline-helpers.js';

const skip = gitlabCiLocalMissing();
const API_TOKEN = 'glpat-notes-Q9w8E7r6T5y4';
const GIT_TOKEN = 'glpat-push-A1s2D3f4G5h6';
const JOB_TOKEN = 'job-token-Z9x8C7v6';
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';

let served: string;
let gitServer: GitServer;
let api: FakeForge;
let bare: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  if (skip) return;
  served = scratchDir('gitops-bridge-gitlab-served-');
  gitServer = await startGitServer(served, JOB_TOKEN);
  api = await startFakeForge(API_TOKEN);
  bare = forgeRepo(served, 'fleet');
});
afterAll(async () => {
  if (skip) return;
  await api.close();
  await gitServer.close();
  cleanups.forEach((c) => c());
  rmSync(served, { recursive: true, force: true });
});

/** A developer's push to the merge request: a changed TTL, rendered and committed. */
async function push(clone: string, ttl: string): Promise<void> {
  const file = join(clone, OVERLAY);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, `CACHE_TTL_SECONDS: "${ttl}"`));
  const r = await cliProcess(['render', '-q'], { cwd: clone });
  expect(r.stderr).toBe('');
  git(clone, 'commit', '-q', '-am', `TTL ${ttl}`);
}

const mergeRequest = (extra: Record<string, string> = {}) => ({
  CI_PIPELINE_SOURCE: 'merge_request_event',
  CI_MERGE_REQUEST_IID: '7',
  CI_MERGE_REQUEST_PROJECT_ID: '42',
  CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '42',
  CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
  CI_PROJECT_ID: '42',
  CI_API_V4_URL: `${api.url}/api/v4`,
  GITLAB_TOKEN: API_TOKEN,
  NPM_INSTALL_RUNTIME: 'true', // node_modules is the repository's (see the header)
  ...extra,
});

describe.skipIf(skip)('.gitlab-ci.yml under gitlab-ci-local', () => {
  it('diff-comment: one merge-request note on the first pipeline, the same note edited on the next push', async () => {
    const p = ciClone(bare, gitServer.url('fleet.git'), JOB_TOKEN, 'feature');
    cleanups.push(p.cleanup);
    await push(p.clone, '15');

    // GitLab's schema is checked once, in gitlab-ci.test.ts
    const first = await runJob(p.clone, 'diff-comment', mergeRequest(), { schema: false });
    expect(first.output).toMatch(/PASS\s+diff-comment/);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/created note (\d+) on merge request !7 of project 42/);
    expect(first.output).toContain('CACHE_TTL_SECONDS'); // the diff itself is in the job log
    const calls = () => api.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);
    expect(calls()).toEqual(['GET /api/v4/projects/42/merge_requests/7/notes', 'POST /api/v4/projects/42/merge_requests/7/notes']);
    expect(api.requests.every((r) => r.authorized)).toBe(true);
    const notes = api.threads.get('42!7'.replace(/^/, 'gitlab:'))!;
    expect(notes).toHaveLength(1);
    const note = notes[0]!;
    expect(note.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(note.body).toMatch(/Rendered manifests: 0 added, 2 changed, 0 removed/);
    expect(note.body).toContain("CACHE_TTL_SECONDS: '15'");

    await push(p.clone, '25');
    api.requests.length = 0;
    const second = await runJob(p.clone, 'diff-comment', mergeRequest(), { schema: false });
    expect(second.code).toBe(0);
    expect(second.output).toContain(`updated note ${note.id} on merge request !7 of project 42`);
    expect(calls()).toEqual(['GET /api/v4/projects/42/merge_requests/7/notes', `PUT /api/v4/projects/42/merge_requests/7/notes/${note.id}`]);
    expect(api.threads.get('gitlab:42!7')).toHaveLength(1);
    expect(note.body).toContain("CACHE_TTL_SECONDS: '25'");
    expect(note.body).not.toContain("CACHE_TTL_SECONDS: '15'");

    for (const out of [first.output, second.output]) for (const t of [API_TOKEN, JOB_TOKEN]) expect(out).not.toContain(t);
  });

  it("diff-comment of a fork's merge request: no token, nothing posted, the diff in the log", async () => {
    const p = ciClone(bare, gitServer.url('fleet.git'), JOB_TOKEN, 'feature');
    cleanups.push(p.cleanup);
    api.requests.length = 0;
    const run = await runJob(p.clone, 'diff-comment', mergeRequest({ CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99', CI_MERGE_REQUEST_SOURCE_PROJECT_PATH: 'someone/fleet', GITLAB_TOKEN: '' }), { schema: false });
    expect(run.code).toBe(0);
    expect(run.output).toContain('not posted to merge request !7 of project 42: the merge request comes from a fork (project someone/fleet)');
    expect(run.output).toContain('No changes: the render matches rendered/ at origin/main'); // the diff (of a branch that changes nothing) is in the log
    expect(api.requests).toEqual([]);
  });

  it('rendered-branch on main: pushes the rendered branch with the project access token, not the job token', async () => {
    const p = ciClone(bare, gitServer.url('fleet.git'), JOB_TOKEN);
    cleanups.push(p.cleanup);
    // The served repository accepts the project access token only from here on: the job must
    // replace the clone's job-token URL, as on GitLab where the job token may not push.
    const pushServer = await startGitServer(served, GIT_TOKEN);
    try {
      const origin = new URL(pushServer.url('fleet.git'));
      git(p.clone, 'remote', 'set-url', 'origin', pushServer.url('fleet.git').replace('://', `://x-access-token:${JOB_TOKEN}@`));
      const run = await runJob(
        p.clone,
        'rendered-branch',
        {
          CI_PIPELINE_SOURCE: 'push',
          CI_COMMIT_BRANCH: 'main',
          CI_DEFAULT_BRANCH: 'main',
          CI_SERVER_URL: origin.origin,
          CI_PROJECT_PATH: 'fleet',
          GITOPS_BRIDGE_GIT_TOKEN: GIT_TOKEN,
          NPM_INSTALL_RUNTIME: 'true',
        },
        { schema: false },
      );
      expect(run.output).toMatch(/pushed [0-9a-f]{7} to origin\/rendered/);
      expect(run.code).toBe(0);
      const head = git(p.clone, 'rev-parse', 'HEAD').trim();
      expect(tip(bare)).toBeDefined();
      expect(JSON.parse(git(bare, 'show', 'rendered:hydrator.metadata'))).toMatchObject({ drySha: head, repoURL: pushServer.url('fleet.git') });
      expect(pushServer.log.some((l) => /^POST \/fleet\.git\/git-receive-pack 200$/.test(l))).toBe(true);
      for (const t of [GIT_TOKEN, JOB_TOKEN]) expect(run.output).not.toContain(t);
    } finally {
      await pushServer.close();
    }
  });
});

if (skip) {
  describe('.gitlab-ci.yml under gitlab-ci-local', () => {
    it.skip(`skipped: ${skip}`, () => undefined);
  });
}
