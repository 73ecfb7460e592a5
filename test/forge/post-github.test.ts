/**
 * `npm run diff -- --post github` as the pull-request workflow runs it: a CLI process (Node's
 * global fetch) with GitHub's variables and event file pointing at a fake GitHub API on
 * 127.0.0.1. The first run posts one comment, the next (after another push) edits that same
 * comment; a fork's run posts nothing and writes the job summary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../generators/diff/format-markdown.js';
import { cliProcess } from '../helpers.js';
import { bridgeEnv, repoPerTest } from '../git/git-helpers.js';
import { startFakeForge, type FakeForge } from './fake-forge.js';

const TOKEN = 'ghs_Fv9Lq2Wx7Rt4Yp1Zk8Nm';
const OVERLAY = 'manifests/apps/catalog-api/overlays/dev.yaml';
const newRepo = repoPerTest();
let api: FakeForge;

beforeAll(async () => {
  api = await startFakeForge(TOKEN);
});
afterAll(() => api.close());

function setTtl(root: string, ttl: string): void {
  const file = join(root, OVERLAY);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: "\d+"/, `CACHE_TTL_SECONDS: "${ttl}"`));
}

/** The diff step of .github/workflows/pull-request.yml, run in `root`. */
function postStep(root: string, head = 'acme/fleet', extra: NodeJS.ProcessEnv = {}) {
  const event = join(root, '.git', 'event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 12, head: { repo: { full_name: head } } } }));
  return cliProcess(['diff', '--post', 'github'], {
    cwd: root,
    env: bridgeEnv({ GITHUB_ACTIONS: 'true', GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_PATH: event, GITHUB_TOKEN: TOKEN, GITHUB_STEP_SUMMARY: '', ...extra }),
  });
}

describe('diff --post github', () => {
  it('posts one comment, then edits that comment after the next push', async () => {
    const repo = await newRepo();
    setTtl(repo.root, '15');
    const first = await postStep(repo.root);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^created comment (\d+) on pull request #12 of acme\/fleet$/m);
    expect(first.stdout).toContain('CACHE_TTL_SECONDS'); // the terminal diff still goes to the log
    const thread = api.threads.get('github:acme/fleet#12')!;
    expect(thread).toHaveLength(1);
    const comment = thread[0]!;
    expect(comment.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment.body).toContain("CACHE_TTL_SECONDS: '15'");
    expect(comment.body.length).toBeLessThanOrEqual(65_536);

    setTtl(repo.root, '25');
    api.requests.length = 0;
    const second = await postStep(repo.root);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`updated comment ${comment.id} on pull request #12 of acme/fleet`);
    expect(api.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`)).toEqual(['GET /repos/acme/fleet/issues/12/comments', `PATCH /repos/acme/fleet/issues/comments/${comment.id}`]);
    expect(api.requests.every((r) => r.authorized)).toBe(true);
    expect(thread).toHaveLength(1);
    expect(comment.body).toContain("CACHE_TTL_SECONDS: '25'");
    for (const r of [first, second]) expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("a fork's pull request: nothing posted, the markdown in the job summary", async () => {
    const repo = await newRepo();
    setTtl(repo.root, '45');
    const summary = join(repo.root, '.git', 'summary.md');
    writeFileSync(summary, '');
    api.requests.length = 0;
    const r = await postStep(repo.root, 'someone/fleet', { GITHUB_TOKEN: '', GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('not posted to pull request #12 of acme/fleet: the pull request comes from a fork (someone/fleet)');
    expect(api.requests).toEqual([]);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain("CACHE_TTL_SECONDS: '45'");
  });
});
