/**
 * The diff as one pull-request comment (GitHub) or merge-request note (GitLab), kept up to date:
 * each run finds the comment it posted before by the hidden marker at its start (across all the
 * pages of comments) and edits it, so a pull request collects one comment however often it is
 * pushed to, not one per push. Where to post comes from the forge's own CI variables; the token
 * from GITHUB_TOKEN or GITLAB_TOKEN and is never printed (http.ts).
 *
 * A fork's pipeline gets no token that may comment (GitHub gives it a read-only GITHUB_TOKEN,
 * GitLab runs it without the project's protected variables): it is recognised from the same
 * variables and nothing is posted.
 */
import { BridgeError } from '../core/errors.js';
import { ForgeApi, type HttpDeps } from './http.js';

export type ForgeName = 'github' | 'gitlab';
export const FORGES: readonly ForgeName[] = ['github', 'gitlab'];

/** The most characters a comment may have: GitHub's comment limit, GitLab's note limit. */
export const COMMENT_LIMITS: Record<ForgeName, number> = { github: 65_536, gitlab: 1_000_000 };
export const TOKEN_VARIABLE: Record<ForgeName, string> = { github: 'GITHUB_TOKEN', gitlab: 'GITLAB_TOKEN' };

export interface CommentTarget {
  forge: ForgeName;
  /** "pull request #12 of acme/fleet", "merge request !7 of project 42". */
  describe: string;
  /** Why nothing may be posted (a fork's pipeline); undefined when posting is expected. */
  fork?: string;
  limit: number;
  /** Present unless `fork`. */
  api?: ForgeApi;
  list: string;
  create: string;
  edit: (id: number) => string;
  /** The method of an edit: PATCH on GitHub, PUT on GitLab. */
  editMethod: 'PATCH' | 'PUT';
}

export interface GithubEvent {
  pull_request?: { number?: number; head?: { repo?: { full_name?: string } | null } };
}

type Env = Record<string, string | undefined>;

function missing(forge: ForgeName, names: string[], hint: string): BridgeError {
  return new BridgeError({
    code: 'forge-env',
    message: `--post ${forge}: ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not set, so there is no ${forge === 'github' ? 'pull request' : 'merge request'} to comment on`,
    hint,
  });
}

/** Where the forge's CI variables say to post; throws a BridgeError naming what is missing. */
export function commentTarget(forge: ForgeName, env: Env, deps: HttpDeps, event?: GithubEvent): CommentTarget {
  return forge === 'github' ? githubTarget(env, deps, event) : gitlabTarget(env, deps);
}

function githubTarget(env: Env, deps: HttpDeps, event: GithubEvent | undefined): CommentTarget {
  const base = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY;
  const number = event?.pull_request?.number ?? Number(/^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1] ?? NaN);
  if (!repository || !Number.isInteger(number)) {
    throw missing('github', [...(!repository ? ['GITHUB_REPOSITORY'] : []), ...(!Number.isInteger(number) ? ['the pull request number (GITHUB_EVENT_PATH, or GITHUB_REF refs/pull/<n>/merge)'] : [])], 'run it in a workflow triggered by `pull_request`, where GitHub sets these');
  }
  const describe = `pull request #${number} of ${repository}`;
  const repoPath = `${base}/repos/${repository.split('/').map(encodeURIComponent).join('/')}`;
  const head = event?.pull_request?.head;
  const fork = head !== undefined && head.repo?.full_name !== repository ? `the pull request comes from a fork (${head.repo?.full_name ?? 'a deleted repository'}), whose token may not comment` : undefined;
  const token = env.GITHUB_TOKEN;
  if (!fork && !token) throw noToken('github', describe);
  return {
    forge: 'github',
    describe,
    fork,
    limit: COMMENT_LIMITS.github,
    api: token
      ? new ForgeApi(
          {
            base,
            forge: 'GitHub',
            auth: { Authorization: `Bearer ${token}`, 'X-GitHub-Api-Version': '2022-11-28' },
            token,
            authHint: 'the job needs `permissions: pull-requests: write` and GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} in its env',
          },
          deps,
        )
      : undefined,
    list: `${repoPath}/issues/${number}/comments?per_page=100`,
    create: `${repoPath}/issues/${number}/comments`,
    edit: (id) => `${repoPath}/issues/comments/${id}`,
    editMethod: 'PATCH',
  };
}

function gitlabTarget(env: Env, deps: HttpDeps): CommentTarget {
  const names = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID'];
  const unset = names.filter((n) => !env[n]);
  if (unset.length) throw missing('gitlab', unset, 'run it in a merge request pipeline (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`), where GitLab sets these');
  const base = env.CI_API_V4_URL!.replace(/\/+$/, '');
  const iid = env.CI_MERGE_REQUEST_IID!;
  // A fork's merge request pipeline runs in the fork unless a maintainer runs it in this project.
  const source = env.CI_MERGE_REQUEST_SOURCE_PROJECT_ID;
  const project = env.CI_MERGE_REQUEST_PROJECT_ID ?? env.CI_PROJECT_ID!;
  const describe = `merge request !${iid} of project ${env.CI_MERGE_REQUEST_PROJECT_PATH ?? project}`;
  const fork = source && source !== project ? `the merge request comes from a fork (project ${env.CI_MERGE_REQUEST_SOURCE_PROJECT_PATH ?? source}), whose pipeline has no token for this project` : undefined;
  const token = env.GITLAB_TOKEN;
  if (!fork && !token) throw noToken('gitlab', describe);
  const notes = `${base}/projects/${encodeURIComponent(project)}/merge_requests/${encodeURIComponent(iid)}/notes`;
  return {
    forge: 'gitlab',
    describe,
    fork,
    limit: COMMENT_LIMITS.gitlab,
    api: token
      ? new ForgeApi(
          {
            base,
            forge: 'GitLab',
            auth: { 'PRIVATE-TOKEN': token },
            token,
            authHint: 'GITLAB_TOKEN must be a project access token with the `api` scope and at least the Reporter role (Settings > Access tokens), in a masked CI/CD variable',
          },
          deps,
        )
      : undefined,
    list: `${notes}?per_page=100&sort=asc&order_by=created_at`,
    create: notes,
    edit: (id) => `${notes}/${id}`,
    editMethod: 'PUT',
  };
}

function noToken(forge: ForgeName, describe: string): BridgeError {
  const variable = TOKEN_VARIABLE[forge];
  return new BridgeError({
    code: 'forge-auth',
    message: `--post ${forge}: ${variable} is not set, so the diff cannot be posted to ${describe}`,
    hint:
      forge === 'github'
        ? 'give the step `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` and the job `permissions: pull-requests: write`'
        : 'add a project access token (scope `api`, role Reporter) as the masked CI/CD variable GITLAB_TOKEN (Settings > CI/CD > Variables)',
  });
}

export interface Posted {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
}

interface Comment {
  id: number;
  body?: string;
  system?: boolean;
}

/**
 * Posts `body` (which starts with `marker`) or edits the comment that starts with the marker;
 * an identical comment is left alone.
 */
export async function upsertComment(target: CommentTarget, body: string, marker: string): Promise<Posted> {
  if (!target.api) throw new BridgeError({ code: 'forge-auth', message: `cannot post to ${target.describe}: ${target.fork ?? 'no token'}` });
  if (!body.startsWith(marker)) throw new Error(`the comment must start with its marker ${marker}`);
  if (body.length > target.limit) {
    throw new BridgeError({ code: 'forge-api', message: `the comment has ${body.length} characters, over the ${target.limit} ${target.forge} accepts`, hint: 'report this: the markdown format should have kept it under the limit' });
  }
  const previous = await target.api.find<Comment>(target.list, (c) => !c.system && typeof c.body === 'string' && c.body.startsWith(marker));
  if (previous) {
    if (previous.body === body) return { action: 'unchanged', id: previous.id };
    await target.api.request(target.editMethod, target.edit(previous.id), { body });
    return { action: 'updated', id: previous.id };
  }
  const created = await target.api.request('POST', target.create, { body });
  const id = (created.data as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'number') throw new BridgeError({ code: 'forge-api', message: `${target.forge} API: POST ${target.create} returned no comment id`, hint: 'check the API URL' });
  return { action: 'created', id };
}
