/**
 * The diff poster against a fake GitHub and GitLab on 127.0.0.1 (real HTTP through Node's fetch,
 * a recorded sleep so retries take no time): one comment, then edits of it; the marker found
 * across pages; retries on 429/5xx with the server's Retry-After; refusals that name the
 * problem; the token in no message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { COMMENT_MARKER } from '../../generators/diff/format-markdown.js';
import { commentTarget, upsertComment, type ForgeName } from '../../generators/forge/comment.js';
import { MAX_ATTEMPTS, systemHttp, type HttpDeps } from '../../generators/forge/http.js';
import { startFakeForge, type FakeForge } from './fake-forge.js';

const TOKEN = 'glpat-Sx7Qm2vR9tK4wZ1y';
let api: FakeForge;
let slept: number[];
let logged: string[];
const deps = (): HttpDeps => ({ ...systemHttp, sleep: async (ms) => void slept.push(ms), now: () => Date.parse('2025-01-01T00:00:00Z'), log: (l) => logged.push(l) });

const gitlabEnv = () => ({ CI_API_V4_URL: `${api.url}/api/v4`, CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '7', GITLAB_TOKEN: TOKEN });
const githubEnv = () => ({ GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/fleet', GITHUB_TOKEN: TOKEN });
const githubEvent = (fork = 'acme/fleet') => ({ pull_request: { number: 5, head: { repo: { full_name: fork } } } });
const target = (forge: ForgeName) => (forge === 'gitlab' ? commentTarget('gitlab', gitlabEnv(), deps()) : commentTarget('github', githubEnv(), deps(), githubEvent()));
const body = (text: string) => `${COMMENT_MARKER}\n${text}\n`;
const calls = () => api.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);

/** The error a promise rejects with, checked to carry no token. */
async function refusal(p: Promise<unknown>): Promise<BridgeError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BridgeError);
  expect((e as BridgeError).format()).not.toContain(TOKEN);
  return e as BridgeError;
}

beforeAll(async () => {
  api = await startFakeForge(TOKEN);
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  api.threads.clear();
  api.failNext.length = 0;
  slept = [];
  logged = [];
});

describe('upsertComment', () => {
  it('GitLab: one note on the first run, the same note edited on the next, left alone when unchanged', async () => {
    const first = await upsertComment(target('gitlab'), body('first'), COMMENT_MARKER);
    expect(first.action).toBe('created');
    const id = first.id;
    expect(await upsertComment(target('gitlab'), body('second'), COMMENT_MARKER)).toEqual({ action: 'updated', id });
    expect(await upsertComment(target('gitlab'), body('second'), COMMENT_MARKER)).toEqual({ action: 'unchanged', id });
    expect(calls()).toEqual([
      'GET /api/v4/projects/42/merge_requests/7/notes',
      'POST /api/v4/projects/42/merge_requests/7/notes',
      'GET /api/v4/projects/42/merge_requests/7/notes',
      `PUT /api/v4/projects/42/merge_requests/7/notes/${id}`,
      'GET /api/v4/projects/42/merge_requests/7/notes',
    ]);
    expect(api.requests.every((r) => r.authorized)).toBe(true);
    expect(api.threads.get('gitlab:42!7')!.map((n) => n.body)).toEqual([body('second')]);
  });

  it('GitHub: one comment, then PATCH of that comment', async () => {
    const { id } = await upsertComment(target('github'), body('first'), COMMENT_MARKER);
    expect(await upsertComment(target('github'), body('second'), COMMENT_MARKER)).toEqual({ action: 'updated', id });
    expect(calls()).toEqual(['GET /repos/acme/fleet/issues/5/comments', 'POST /repos/acme/fleet/issues/5/comments', 'GET /repos/acme/fleet/issues/5/comments', `PATCH /repos/acme/fleet/issues/comments/${id}`]);
    expect(api.threads.get('github:acme/fleet#5')!.map((c) => c.body)).toEqual([body('second')]);
  });

  it.each(['github', 'gitlab'] as const)('%s: finds its comment on a later page among other comments and system notes', async (forge) => {
    const small = await startFakeForge(TOKEN, { perPage: 2 });
    try {
      const env = forge === 'gitlab' ? { ...gitlabEnv(), CI_API_V4_URL: `${small.url}/api/v4` } : { ...githubEnv(), GITHUB_API_URL: small.url };
      const key = forge === 'gitlab' ? 'gitlab:42!7' : 'github:acme/fleet#5';
      small.threads.set(key, [
        { id: 1, body: 'LGTM' },
        { id: 2, body: `${COMMENT_MARKER} quoted by a system note`, system: true },
        { id: 3, body: `> ${COMMENT_MARKER} a quote` },
        { id: 4, body: 'nit' },
        { id: 5, body: body('old') },
        { id: 6, body: 'after' },
      ]);
      const t = commentTarget(forge, env, deps(), githubEvent());
      expect(await upsertComment(t, body('new'), COMMENT_MARKER)).toEqual({ action: 'updated', id: 5 });
      expect(small.requests.filter((r) => r.method === 'GET').map((r) => new URL(r.path, small.url).searchParams.get('page') ?? '1')).toEqual(['1', '2', '3']);
      expect(small.threads.get(key)!.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(small.threads.get(key)![4]!.body).toBe(body('new'));
    } finally {
      await small.close();
    }
  });

  it('retries 503 and 502 with backoff, and waits what a 429 Retry-After says', async () => {
    api.failNext.push({ status: 503 }, { status: 502 }, { status: 429, headers: { 'Retry-After': '7' } });
    expect((await upsertComment(target('gitlab'), body('x'), COMMENT_MARKER)).action).toBe('created');
    expect(slept).toEqual([1000, 2000, 7000]);
    expect(logged[0]).toMatch(/^GitLab API: GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/42\/merge_requests\/7\/notes\?.*: HTTP 503; retrying in 1 s \(attempt 2 of 5\)$/);
    expect(api.threads.get('gitlab:42!7')).toHaveLength(1);
  });

  it("retries GitHub's secondary rate limit (403 with Retry-After) and a rate-limit reset time", async () => {
    const reset = Date.parse('2025-01-01T00:00:00Z') / 1000 + 30;
    api.failNext.push({ status: 403, headers: { 'Retry-After': '3' } }, { status: 403, headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) } });
    await upsertComment(target('github'), body('x'), COMMENT_MARKER);
    expect(slept).toEqual([3000, 30_000]);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts, saying how it failed`, async () => {
    for (let i = 0; i < MAX_ATTEMPTS; i++) api.failNext.push({ status: 500, body: JSON.stringify({ message: 'internal' }) });
    const e = await refusal(upsertComment(target('gitlab'), body('x'), COMMENT_MARKER));
    expect(e.code).toBe('forge-api');
    expect(e.message).toMatch(/^GitLab API: GET .*\/notes\?.* answered HTTP 500 \(after 5 attempts\): internal$/);
    expect(slept).toEqual([1000, 2000, 4000, 8000]);
    expect(api.threads.get('gitlab:42!7') ?? []).toHaveLength(0);
  });

  it('retries a network failure, then says the API is unreachable', async () => {
    const closed = await startFakeForge(TOKEN);
    await closed.close();
    const t = commentTarget('gitlab', { ...gitlabEnv(), CI_API_V4_URL: `${closed.url}/api/v4` }, deps());
    const e = await refusal(upsertComment(t, body('x'), COMMENT_MARKER));
    expect(e.message).toMatch(/^GitLab API unreachable: GET .* failed 5 times \(fetch failed: .*ECONNREFUSED/);
    expect(slept).toHaveLength(4);
  });

  it('a refused token: no retry, the hint says what the token needs, and an echoed token is scrubbed', async () => {
    api.failNext.push({ status: 401, body: JSON.stringify({ message: `invalid token ${TOKEN}` }) });
    const e = await refusal(upsertComment(target('gitlab'), body('x'), COMMENT_MARKER));
    expect(e.code).toBe('forge-auth');
    expect(e.message).toMatch(/^GitLab API refused the token \(HTTP 401\) for GET .*: invalid token \*\*\*$/);
    expect(e.hint).toMatch(/project access token with the `api` scope/);
    expect(slept).toEqual([]);
  });

  it('does not follow a next page to another host (the token stays with the API)', async () => {
    api.threads.set('gitlab:42!7', []);
    api.failNext.push({ status: 200, headers: { 'Content-Type': 'application/json', Link: '<https://elsewhere.example/notes?page=2>; rel="next"' }, body: '[]' });
    const e = await refusal(upsertComment(target('gitlab'), body('x'), COMMENT_MARKER));
    expect(e.message).toMatch(/is on another host \(https:\/\/elsewhere\.example\); not followed/);
    expect(api.requests).toHaveLength(1);
  });
});

describe('commentTarget', () => {
  it('names the CI variables that are missing', () => {
    expect(() => commentTarget('gitlab', { CI_API_V4_URL: 'https://gitlab.example/api/v4' }, deps())).toThrow(/--post gitlab: CI_PROJECT_ID, CI_MERGE_REQUEST_IID are not set/);
    expect(() => commentTarget('github', { GITHUB_TOKEN: TOKEN }, deps())).toThrow(/GITHUB_REPOSITORY, the pull request number .* are not set/);
    expect(() => commentTarget('gitlab', { ...gitlabEnv(), GITLAB_TOKEN: '' }, deps())).toThrow(/GITLAB_TOKEN is not set, so the diff cannot be posted to merge request !7 of project 42/);
  });

  it('takes the pull request number from GITHUB_REF when there is no event file', () => {
    expect(commentTarget('github', { ...githubEnv(), GITHUB_REF: 'refs/pull/31/merge' }, deps()).describe).toBe('pull request #31 of acme/fleet');
  });

  it("recognises a fork's pipeline, which needs no token and posts nothing", async () => {
    const gl = commentTarget('gitlab', { ...gitlabEnv(), GITLAB_TOKEN: undefined, CI_MERGE_REQUEST_PROJECT_ID: '42', CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99', CI_MERGE_REQUEST_SOURCE_PROJECT_PATH: 'someone/fleet' }, deps());
    expect(gl.fork).toMatch(/comes from a fork \(project someone\/fleet\)/);
    const gh = commentTarget('github', { ...githubEnv(), GITHUB_TOKEN: undefined }, deps(), githubEvent('someone/fleet'));
    expect(gh.fork).toMatch(/comes from a fork \(someone\/fleet\)/);
    await expect(upsertComment(gh, body('x'), COMMENT_MARKER)).rejects.toThrow(/cannot post/);
    expect(api.requests).toEqual([]);
  });
});
