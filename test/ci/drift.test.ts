/**
 * ci/drift.sh, the script both forges' drift jobs call. The cloud half cannot run here, so a
 * fake `pulumi` on PATH records what it is asked and what it is given (the web-identity token
 * file, the role, the Pulumi token exchanged at a fake Pulumi Cloud); the rendered half runs
 * for real on a copy of this repository with a rendered branch pushed to a local origin.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { scratchDir } from '../scratch.js';
import { bridgeEnv, git, gitEnv } from '../git/git-helpers.js';
import { ciClone, forgeRepo } from './pipeline-helpers.js';

const SCRIPT = join(repoRoot, 'ci/drift.sh');
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.aws-id-token.sig';
const PULUMI_ID = 'eyJhbGciOiJSUzI1NiJ9.pulumi-id-token.sig';
const PULUMI_TOKEN = 'pul-3f9e8d7c6b5a4f3e';

function drift(cwd: string, target: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [SCRIPT, target], { cwd, env: bridgeEnv({ ...gitEnv, GITHUB_ACTIONS: '', ...env }) });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => done({ code: code ?? -1, out: out.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

describe('ci/drift.sh <stack>', () => {
  let dir: string;
  let log: string;
  let bin: string;
  let exchange: { url: string; bodies: URLSearchParams[]; close: () => void };

  beforeAll(async () => {
    dir = scratchDir('gitops-bridge-drift-');
    bin = join(dir, 'bin');
    log = join(dir, 'pulumi.log');
    mkdirSync(bin);
    // The fake CLI: one line per call with its arguments and what it was given.
    writeFileSync(
      join(bin, 'pulumi'),
      `#!/usr/bin/env bash
tokenfile=none
[ -n "\${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] && tokenfile="$(stat -c %a "$AWS_WEB_IDENTITY_TOKEN_FILE"):$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE")"
echo "$* | role=\${AWS_ROLE_ARN:-} session=\${AWS_ROLE_SESSION_NAME:-} tokenfile=$tokenfile idtoken=\${AWS_ID_TOKEN:-unset} pulumi=\${PULUMI_ACCESS_TOKEN:-unset}" >> "${log}"
if [ "$1" = preview ]; then echo "Previewing update (dev)"; exit "\${FAKE_PREVIEW_EXIT:-0}"; fi
`,
    );
    chmodSync(join(bin, 'pulumi'), 0o755);
    const bodies: URLSearchParams[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        const body = new URLSearchParams(text);
        bodies.push(body);
        const ok = req.url === '/api/oauth/token' && body.get('subject_token') === PULUMI_ID;
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(ok ? { access_token: PULUMI_TOKEN, token_type: 'Bearer' } : { message: 'invalid subject token' }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    exchange = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, close: () => server.close() };
  });
  afterAll(() => {
    exchange.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (stack: string, env: NodeJS.ProcessEnv) => {
    writeFileSync(log, '');
    return drift(dir, stack, { PATH: `${bin}:${process.env.PATH}`, ...env });
  };
  const calls = () => readFileSync(log, 'utf8').trim().split('\n');

  it('GitLab OIDC to AWS: the id token in a private file for the role, a self-managed backend, preview --refresh --expect-no-changes', async () => {
    const r = await run('dev', { AWS_ID_TOKEN: ID_TOKEN, AWS_DRIFT_ROLE_ARN_DEV: 'arn:aws:iam::111122223333:role/drift-dev', PULUMI_BACKEND_URL: 's3://state-bucket' });
    expect(r.out).toContain('no drift in stack dev');
    expect(r.code).toBe(0);
    const env = `role=arn:aws:iam::111122223333:role/drift-dev session=gitops-bridge-drift-dev tokenfile=600:${ID_TOKEN} idtoken=unset pulumi=unset`;
    expect(calls()).toEqual([`login --non-interactive s3://state-bucket | ${env}`, `preview --non-interactive --cwd infra --stack dev --refresh --expect-no-changes --diff | ${env}`]);
    expect(r.out).not.toContain(ID_TOKEN);
  });

  it('Pulumi Cloud: the job OIDC token exchanged for a short-lived organization token, never printed', async () => {
    const r = await run('staging', { AWS_ID_TOKEN: ID_TOKEN, AWS_DRIFT_ROLE_ARN_STAGING: 'arn:aws:iam::111122223333:role/drift-staging', PULUMI_ORGANIZATION: 'acme', PULUMI_ID_TOKEN: PULUMI_ID, PULUMI_CLOUD_URL: exchange.url });
    expect(r.code).toBe(0);
    expect(exchange.bodies.at(-1)?.get('audience')).toBe('urn:pulumi:org:acme');
    expect(exchange.bodies.at(-1)?.get('requested_token_type')).toBe('urn:pulumi:token-type:access_token:organization');
    expect(calls()[0]).toMatch(new RegExp(`^login --non-interactive ${exchange.url} \\| .* pulumi=${PULUMI_TOKEN}$`));
    expect(calls()[1]).toMatch(/^preview --non-interactive --cwd infra --stack acme\/staging /);
    for (const t of [ID_TOKEN, PULUMI_ID, PULUMI_TOKEN]) expect(r.out).not.toContain(t);
  });

  it('drift: preview finds changes, the job fails saying what to do', async () => {
    const r = await run('prod', { AWS_ID_TOKEN: ID_TOKEN, AWS_DRIFT_ROLE_ARN_PROD: 'arn:aws:iam::111122223333:role/drift-prod', PULUMI_BACKEND_URL: 's3://state-bucket', FAKE_PREVIEW_EXIT: '255' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/ERROR: Infrastructure drift in prod\n {2}pulumi preview --refresh found changes in stack prod/);
    const gh = await run('prod', { AWS_DRIFT_ROLE_ARN_PROD: 'x', PULUMI_BACKEND_URL: 's3://state-bucket', FAKE_PREVIEW_EXIT: '255', GITHUB_ACTIONS: 'true' });
    expect(gh.out).toMatch(/^::error title=Infrastructure drift in prod::pulumi preview --refresh found changes/m);
  });

  it('refuses what cannot work, naming the variable to set', async () => {
    const noRole = await run('staging', { AWS_ID_TOKEN: ID_TOKEN, PULUMI_BACKEND_URL: 's3://b' });
    expect(noRole.code).toBe(1);
    expect(noRole.out).toContain('set the CI/CD variable AWS_DRIFT_ROLE_ARN_STAGING');
    const noBackend = await run('dev', {});
    expect(noBackend.out).toContain('set the CI/CD variable PULUMI_BACKEND_URL (a self-managed backend) or PULUMI_ORGANIZATION');
    const refused = await run('dev', { PULUMI_ORGANIZATION: 'acme', PULUMI_ID_TOKEN: 'forged', PULUMI_CLOUD_URL: exchange.url });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/Pulumi Cloud refused the OIDC token/);
    expect(readFileSync(log, 'utf8')).toBe(''); // pulumi never ran
  });
});

describe('ci/drift.sh rendered', () => {
  let served: string;
  let bare: string;
  let clone: { clone: string; cleanup: () => void };

  beforeAll(async () => {
    served = scratchDir('gitops-bridge-drift-served-');
    bare = forgeRepo(served, 'fleet');
    clone = ciClone(bare, `file://${bare}`, 'unused');
    git(clone.clone, 'remote', 'set-url', 'origin', bare);
  });
  afterAll(() => {
    clone.cleanup();
    rmSync(served, { recursive: true, force: true });
  });

  it('no rendered branch yet, then current, then catching up with a fresh merge, then behind, then edited by hand', async () => {
    const root = clone.clone;
    const noBranch = await drift(root, 'rendered', {});
    expect(noBranch.code).toBe(1);
    expect(noBranch.out).toContain('ERROR: No rendered branch');

    const commit = spawnCli(root, ['rendered-commit', '--push']);
    expect((await commit).code).toBe(0);
    const current = await drift(root, 'rendered', { FORCE_COLOR: '0' });
    expect(current.out).toContain(`origin/rendered is hydrated at HEAD (${git(root, 'rev-parse', 'HEAD').trim()})`);
    expect(current.out).toMatch(/No changes: the render matches the rendered branch at origin\/rendered/);
    expect(current.code).toBe(0);

    // a merge dated now: within the grace period
    const now = new Date().toISOString();
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'fresh merge'], { cwd: root, env: { ...process.env, ...gitEnv, GIT_AUTHOR_DATE: now, GIT_COMMITTER_DATE: now } });
    const fresh = await drift(root, 'rendered', { GITHUB_ACTIONS: 'true' });
    expect(fresh.code).toBe(3);
    expect(fresh.out).toMatch(/^::warning title=Rendered branch catching up::origin\/rendered@[0-9a-f]{7} not at HEAD [0-9a-f]{7} yet/m);
    const late = await drift(root, 'rendered', { GRACE_MINUTES: '0' });
    expect(late.code).toBe(1);
    expect(late.out).toMatch(/ERROR: Rendered branch is behind main\n {2}origin\/rendered@[0-9a-f]{7} not hydrated at HEAD [0-9a-f]{7}/);

    // the branch built from HEAD, then a manifest changed on it by hand
    git(root, 'reset', '-q', '--hard', 'HEAD~1');
    const edit = scratchDir('gitops-bridge-drift-edit-');
    git(edit, 'clone', '-q', '--branch', 'rendered', bare, '.');
    const file = join(edit, 'dev/catalog-api/configmap-catalog-api-config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/CACHE_TTL_SECONDS: '\d+'/, "CACHE_TTL_SECONDS: '999'"));
    git(edit, '-c', 'user.name=x', 'commit', '-q', '-am', 'by hand');
    git(edit, 'push', '-q', 'origin', 'rendered');
    rmSync(edit, { recursive: true, force: true });
    const edited = await drift(root, 'rendered', { FORCE_COLOR: '0' });
    expect(edited.code).toBe(1);
    expect(edited.out).toContain("CACHE_TTL_SECONDS: '999'");
    expect(edited.out).toMatch(/ERROR: Rendered branch differs from the render/);
  });
});

function spawnCli(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(cwd, 'generators/cli/bin.mjs'), ...args], { cwd, env: bridgeEnv(gitEnv) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}
