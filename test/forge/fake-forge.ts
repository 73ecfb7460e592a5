/**
 * A loopback HTTP server that plays the two forge APIs the diff poster talks to, and records
 * every request it gets:
 * - GitHub: GET/POST /repos/{owner}/{repo}/issues/{n}/comments, PATCH /repos/{owner}/{repo}/issues/comments/{id}
 *   (Bearer token, pages linked by a Link header);
 * - GitLab: GET/POST /api/v4/projects/{id}/merge_requests/{iid}/notes, PUT .../notes/{id}
 *   (PRIVATE-TOKEN header, pages linked by Link and X-Next-Page).
 * `failNext` queues answers given before the real ones (a 503, a 429 with Retry-After...).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  /** The parsed JSON body, if any. */
  body?: { body?: string };
  /** Whether the request carried the expected token. */
  authorized: boolean;
}

export interface StoredComment {
  id: number;
  body: string;
  system?: boolean;
  user?: { login: string; type: string };
}

export interface FakeForge {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: Recorded[];
  /** Comments per thread: `github:<owner>/<repo>#<n>` or `gitlab:<project>!<iid>`. */
  threads: Map<string, StoredComment[]>;
  /** Answers to give (in order) before serving requests normally. */
  failNext: { status: number; headers?: Record<string, string>; body?: string }[];
  close(): Promise<void>;
}

export async function startFakeForge(token: string, options: { perPage?: number } = {}): Promise<FakeForge> {
  let nextId = 1000;
  const state: FakeForge = {
    url: '',
    requests: [],
    threads: new Map(),
    failNext: [],
    close: () => new Promise((done) => server.close(() => done())),
  };
  const thread = (key: string) => {
    if (!state.threads.has(key)) state.threads.set(key, []);
    return state.threads.get(key)!;
  };
  const json = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(data));
  };
  const page = (res: ServerResponse, url: URL, list: StoredComment[], gitlab: boolean) => {
    const per = Math.min(options.perPage ?? 100, Number(url.searchParams.get('per_page') ?? 30));
    const n = Number(url.searchParams.get('page') ?? 1);
    const items = list.slice((n - 1) * per, n * per);
    const headers: Record<string, string> = {};
    if (n * per < list.length) {
      const next = new URL(url.href);
      next.searchParams.set('page', String(n + 1));
      headers.Link = `<${next.href}>; rel="next"`;
      if (gitlab) headers['X-Next-Page'] = String(n + 1);
    } else if (gitlab) headers['X-Next-Page'] = '';
    json(res, 200, items, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', state.url);
    const gitlab = url.pathname.startsWith('/api/v4/');
    const authorized = gitlab ? req.headers['private-token'] === token : req.headers.authorization === `Bearer ${token}`;
    const body = text ? (JSON.parse(text) as { body?: string }) : undefined;
    state.requests.push({ method: req.method ?? '', path: url.pathname + url.search, ...(body && { body }), authorized });
    const fail = state.failNext.shift();
    if (fail) {
      res.writeHead(fail.status, fail.headers ?? {});
      res.end(fail.body ?? '');
      return;
    }
    if (!authorized) return json(res, 401, { message: '401 Unauthorized' });
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const list = thread(`github:${m[1]}#${m[2]}`);
      if (req.method === 'GET') return page(res, url, list, false);
      if (req.method === 'POST') {
        const c = { id: nextId++, body: body?.body ?? '', user: { login: 'github-actions[bot]', type: 'Bot' } };
        list.push(c);
        return json(res, 201, c);
      }
    }
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      const c = [...state.threads].filter(([k]) => k.startsWith(`github:${m![1]}#`)).flatMap(([, l]) => l).find((x) => x.id === Number(m![2]));
      if (!c) return json(res, 404, { message: 'Not Found' });
      c.body = body?.body ?? '';
      return json(res, 200, c);
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname))) {
      const list = thread(`gitlab:${decodeURIComponent(m[1]!)}!${m[2]}`);
      if (!m[3] && req.method === 'GET') return page(res, url, list, true);
      if (!m[3] && req.method === 'POST') {
        const c = { id: nextId++, body: body?.body ?? '', system: false };
        list.push(c);
        return json(res, 201, c);
      }
      if (m[3] && req.method === 'PUT') {
        const c = list.find((x) => x.id === Number(m![3]));
        if (!c) return json(res, 404, { message: '404 Not found' });
        c.body = body?.body ?? '';
        return json(res, 200, c);
      }
    }
    json(res, 404, { message: `no route for ${req.method} ${url.pathname}` });
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
