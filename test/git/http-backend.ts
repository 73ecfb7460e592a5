/**
 * A real git server for tests: `git http-backend` (CGI) behind a small Node HTTP server on
 * 127.0.0.1, serving the bare repositories under one directory, with Basic auth on a token.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitServer {
  /** The URL of the bare repository `name` (a directory under the served root). */
  url(name: string): string;
  /** Called before each git-receive-pack POST is handed to git (to make a push race). */
  beforeReceivePack?: () => void;
  /** Every request as "METHOD path?query status". */
  log: string[];
  close(): Promise<void>;
}

const backend = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');

export async function startGitServer(projectRoot: string, token: string): Promise<GitServer> {
  const expected = 'Basic ' + Buffer.from(`x-access-token:${token}`).toString('base64');
  const state: GitServer = {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    log: [],
    close: () => new Promise((done) => server.close(() => done())),
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const finish = (status: number) => state.log.push(`${req.method} ${url.pathname}${url.search} ${status}`);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      finish(401);
      req.resume();
      return;
    }
    if (req.method === 'POST' && url.pathname.endsWith('/git-receive-pack')) state.beforeReceivePack?.();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: '127.0.0.1',
      ...(req.headers['content-length'] && { CONTENT_LENGTH: req.headers['content-length'] }),
      ...(req.headers['git-protocol'] && { HTTP_GIT_PROTOCOL: String(req.headers['git-protocol']) }),
      ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }),
    };
    const cgi = spawn(backend, [], { env });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.stderr.on('data', () => undefined);
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, split).toString('latin1');
      const body = out.subarray(split + 4);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.end(body);
      finish(status);
    });
  };
  const server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return state;
}
