/**
 * JSON over HTTP to a forge's REST API (GitHub, GitLab) with a token: retried with backoff on a
 * rate limit (429, or GitHub's 403 with Retry-After or no requests left), on a server error
 * (500, 502, 503, 504) and on a network failure; pages followed by their Link (or GitLab's
 * X-Next-Page) header, only on the API's own origin, so the token never goes anywhere else. The
 * token travels in a header only: no URL and no message carries it, and text that comes back
 * from the server is scrubbed of it before anyone sees it.
 *
 * Everything that reaches out is in `HttpDeps` (Node's global fetch, a sleep, a clock), so the
 * tests drive the retries without waiting. Node's fetch needs no dependency: the forge calls
 * are a handful per run.
 */
import { BridgeError } from '../core/errors.js';

export interface HttpDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch, to read a Retry-After date or a rate-limit reset time. */
  now: () => number;
  /** Where a retry is announced (never with the token). */
  log?: (line: string) => void;
}

export const systemHttp: HttpDeps = {
  fetch: (url, init) => globalThis.fetch(url, init),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  now: () => Date.now(),
};

/** Attempts per request: the first and four retries, 1 + 2 + 4 + 8 s apart unless the server says how long. */
export const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 1000;
/** A server asking for longer than this is not waited for. */
const MAX_DELAY_MS = 60_000;
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/** Pages followed before giving up (100 items a page: 100,000 comments). */
const MAX_PAGES = 1000;

export interface ApiOptions {
  /** The API's base URL, e.g. https://gitlab.example.com/api/v4; pages are followed only on its origin. */
  base: string;
  /** The name people know the forge by, for messages ("GitLab"). */
  forge: string;
  /** Request headers carrying the token. */
  auth: Record<string, string>;
  /** The token, scrubbed from any text that comes back. */
  token: string;
  /** Where the token came from and what it needs, for a refused token's hint. */
  authHint: string;
}

export interface ApiResponse {
  status: number;
  data: unknown;
  headers: Headers;
}

export class ForgeApi {
  constructor(
    private readonly options: ApiOptions,
    private readonly deps: HttpDeps,
  ) {}

  /** One request, retried as the module header says; a refusal or the last failure throws a BridgeError. */
  async request(method: string, url: string, body?: unknown): Promise<ApiResponse> {
    const init: RequestInit = {
      method,
      headers: { Accept: 'application/json', 'User-Agent': 'gitops-bridge', ...this.options.auth, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      redirect: 'error', // a redirect could take the token to another host
    };
    const where = `${method} ${url}`;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.deps.fetch(url, init);
      } catch (e) {
        const why = this.scrub(e instanceof Error ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` : String(e));
        if (attempt < MAX_ATTEMPTS) {
          await this.wait(attempt, undefined, `${where} failed (${why})`);
          continue;
        }
        throw new BridgeError({
          code: 'forge-api',
          message: `${this.options.forge} API unreachable: ${where} failed ${MAX_ATTEMPTS} times (${why})`,
          hint: `check the API URL (${this.options.base}) and the network from this job`,
        });
      }
      const text = await response.text();
      if (response.ok) return { status: response.status, data: parseJson(text), headers: response.headers };
      const rateLimited = response.status === 403 && (response.headers.has('retry-after') || response.headers.get('x-ratelimit-remaining') === '0');
      if ((RETRY_STATUS.has(response.status) || rateLimited) && attempt < MAX_ATTEMPTS) {
        await this.wait(attempt, response.headers, `${where}: HTTP ${response.status}`);
        continue;
      }
      throw this.refusal(where, response.status, text, attempt);
    }
  }

  /**
   * The first item of a paged list (JSON arrays) for which `match` holds, following the pages
   * until one does or none is left.
   */
  async find<T>(url: string, match: (item: T) => boolean): Promise<T | undefined> {
    let next: string | undefined = url;
    for (let page = 0; next !== undefined; page++) {
      if (page === MAX_PAGES) throw new BridgeError({ code: 'forge-api', message: `${this.options.forge} API: more than ${MAX_PAGES} pages at ${url}`, hint: 'report this: the list never ended' });
      const r = await this.request('GET', next);
      if (!Array.isArray(r.data)) throw new BridgeError({ code: 'forge-api', message: `${this.options.forge} API: GET ${next} did not return a list`, hint: `check the API URL (${this.options.base})` });
      const hit = (r.data as T[]).find(match);
      if (hit !== undefined) return hit;
      next = this.nextPage(next, r.headers);
    }
    return undefined;
  }

  /** The next page's URL from the Link header (rel="next"), else GitLab's X-Next-Page; only on the API's origin. */
  private nextPage(current: string, headers: Headers): string | undefined {
    let next: string | undefined;
    for (const part of (headers.get('link') ?? '').split(',')) {
      const m = /<([^>]+)>\s*;[^,]*\brel="?next"?/.exec(part);
      if (m) next = new URL(m[1]!, current).href;
    }
    const page = headers.get('x-next-page');
    if (next === undefined && page && /^\d+$/.test(page)) {
      const u = new URL(current);
      u.searchParams.set('page', page);
      next = u.href;
    }
    if (next !== undefined && new URL(next).origin !== new URL(this.options.base).origin) {
      throw new BridgeError({
        code: 'forge-api',
        message: `${this.options.forge} API: the next page of ${current} is on another host (${new URL(next).origin}); not followed, so the token stays with ${new URL(this.options.base).origin}`,
        hint: 'check the API URL: it should be the address the API itself gives in its Link headers',
      });
    }
    return next;
  }

  private async wait(attempt: number, headers: Headers | undefined, why: string): Promise<void> {
    const ms = Math.min(MAX_DELAY_MS, serverDelay(headers, this.deps.now()) ?? BASE_DELAY_MS * 2 ** (attempt - 1));
    this.deps.log?.(`${this.options.forge} API: ${why}; retrying in ${Math.ceil(ms / 1000)} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`);
    await this.deps.sleep(ms);
  }

  private refusal(where: string, status: number, text: string, attempts: number): BridgeError {
    const said = this.scrub(apiMessage(text));
    const detail = said ? `: ${said}` : '';
    if (status === 401 || status === 403) {
      return new BridgeError({ code: 'forge-auth', message: `${this.options.forge} API refused the token (HTTP ${status}) for ${where}${detail}`, hint: this.options.authHint });
    }
    return new BridgeError({
      code: 'forge-api',
      message: `${this.options.forge} API: ${where} answered HTTP ${status}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}${detail}`,
      hint: status === 404 ? `check that the project and the ${this.options.forge === 'GitLab' ? 'merge request' : 'pull request'} exist and that the token may see them` : `try the job again; if it keeps failing, check ${this.options.forge}'s status`,
    });
  }

  private scrub(text: string): string {
    const token = this.options.token;
    return token.length >= 4 ? text.split(token).join('***') : text;
  }
}

/** How long the server asks to wait: Retry-After (seconds or an HTTP date), else a rate-limit reset time (epoch seconds). */
function serverDelay(headers: Headers | undefined, now: number): number | undefined {
  const after = headers?.get('retry-after');
  if (after) {
    if (/^\d+$/.test(after.trim())) return Number(after) * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers?.get('x-ratelimit-reset');
  if (headers?.get('x-ratelimit-remaining') === '0' && reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The error text of an API answer: its `message` (GitHub, GitLab) or `error` field, else the start of the body. */
function apiMessage(text: string): string {
  const data = parseJson(text);
  if (data && typeof data === 'object') {
    const m = (data as { message?: unknown; error?: unknown }).message ?? (data as { error?: unknown }).error;
    if (m !== undefined) return (typeof m === 'string' ? m : JSON.stringify(m)).slice(0, 300);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
