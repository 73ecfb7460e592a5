/**
 * `npm run infra:outputs`: the pure snapshot writer (secrets refused, schema-checked,
 * deterministic) and the command as a user runs it, offline: with --from-json, and without the
 * Pulumi CLI on PATH.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentOfStack, outputsFromJson, snapshotChanges, snapshotText, type StackOutputValue } from '../../generators/app/infra-outputs.js';
import { BridgeError, BridgeErrors } from '../../generators/core/errors.js';
import { cli, repoRoot, tempProject } from '../helpers.js';

const committed = (env: string) => readFileSync(join(repoRoot, 'infra/outputs', `${env}.json`), 'utf8');
const asOutputs = (o: Record<string, unknown>): Record<string, StackOutputValue> => Object.fromEntries(Object.entries(o).map(([k, value]) => [k, { value }]));
const dev = () => JSON.parse(committed('dev')) as Record<string, unknown>;

function errorsOf(fn: () => unknown): BridgeError[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof BridgeError) return [e];
    if (e instanceof BridgeErrors) return e.errors;
    throw e;
  }
  throw new Error('expected an error');
}

describe('snapshotText', () => {
  it('reproduces every committed snapshot byte for byte (sorted keys, 2 spaces, trailing newline)', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      expect(snapshotText(asOutputs(JSON.parse(committed(env)) as Record<string, unknown>), `infra/outputs/${env}.json`)).toBe(committed(env));
    }
  });

  it('does not depend on the order Pulumi lists the outputs in', () => {
    const entries = Object.entries(dev());
    const reversed = Object.fromEntries(entries.reverse());
    expect(snapshotText(asOutputs(reversed), 'x.json')).toBe(committed('dev'));
  });

  it('refuses an output Pulumi marks secret, naming the key and never printing the value', () => {
    const outputs = { ...asOutputs(dev()), orders_db_password: { value: 'hunter2-very-secret', secret: true } };
    const [e] = errorsOf(() => snapshotText(outputs, 'infra/outputs/dev.json'));
    expect(e!.code).toBe('secret-in-snapshot');
    expect(e!.message).toMatch(/"orders_db_password" is a secret/);
    expect(e!.pointer).toBe('/orders_db_password');
    expect(e!.format()).not.toContain('hunter2');
  });

  it('refuses "[secret]" (what `pulumi stack output --json` prints) and credential-looking values', () => {
    const outputs = asOutputs({ ...dev(), db_master_password: '[secret]', ci_key: 'AKIAABCDEFGHIJKLMNOP' });
    const errors = errorsOf(() => snapshotText(outputs, 'infra/outputs/dev.json'));
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/ci_key', '/db_master_password']);
  });

  it('validates against schemas/stack-outputs.schema.json, all problems at once', () => {
    const { aws_region: _drop, ...rest } = dev();
    const errors = errorsOf(() => snapshotText(asOutputs({ ...rest, aws_account_id: 'not-an-account', orders_api_iam_role_arn: 'arn:aws:iam::1:user/x' }), 'infra/outputs/dev.json'));
    const text = errors.map((e) => `${e.pointer} ${e.message}`).join('\n');
    expect(text).toMatch(/aws_region/);
    expect(text).toMatch(/\/aws_account_id/);
    expect(text).toMatch(/\/orders_api_iam_role_arn/);
    for (const e of errors) expect(e.file).toBe('infra/outputs/dev.json');
  });

  it('refuses non-scalar outputs', () => {
    const errors = errorsOf(() => snapshotText(asOutputs({ ...dev(), subnet_ids: ['subnet-1', 'subnet-2'] }), 'x.json'));
    expect(errors[0]!.pointer).toBe('/subnet_ids');
  });

  it('helpers: stack names, JSON input, change summary', () => {
    expect(environmentOfStack('dev')).toBe('dev');
    expect(environmentOfStack('acme/gitops-bridge-infra/prod')).toBe('prod');
    expect(outputsFromJson('{"a": "b"}', 'f.json')).toEqual({ a: { value: 'b' } });
    expect(() => outputsFromJson('[1]', 'f.json')).toThrow(/one JSON object/);
    expect(snapshotChanges({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual({ added: ['c'], removed: ['a'], changed: ['b'] });
  });
});

describe('infra-outputs command', () => {
  it('writes the snapshot from `pulumi stack output --json` output and reports what changed', async () => {
    const p = tempProject();
    try {
      const outputs = { ...dev(), orders_queue_url: 'https://sqs.eu-west-1.amazonaws.com/210987654321/shop-dev-orders-v2', extra_output: 'x' };
      delete (outputs as Record<string, unknown>).route53_zone_id;
      const json = join(p.root, 'stack-output.json');
      writeFileSync(json, JSON.stringify(outputs)); // one line, unsorted: what the CLI prints
      const r = await cli(['--root', p.root, 'infra-outputs', '--stack', 'acme/gitops-bridge-infra/dev', '--from-json', json]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/wrote infra\/outputs\/dev\.json: 31 outputs \(1 added, 1 changed, 1 removed\)/);
      expect(r.stdout).toMatch(/\+ extra_output\n {2}~ orders_queue_url\n {2}- route53_zone_id/);
      const written = readFileSync(join(p.root, 'infra/outputs/dev.json'), 'utf8');
      expect(written).toBe(snapshotText(asOutputs(outputs), 'infra/outputs/dev.json'));
      expect(written.endsWith('}\n')).toBe(true);
    } finally {
      p.cleanup();
    }
  });

  it('refuses a secret and leaves the snapshot as it was', async () => {
    const p = tempProject();
    try {
      const json = join(p.root, 'stack-output.json');
      writeFileSync(json, JSON.stringify({ ...dev(), orders_db_password: '[secret]' }));
      const r = await cli(['--root', p.root, 'infra-outputs', '--stack', 'dev', '--from-json', json]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/"orders_db_password" is a secret and must not cross the bridge/);
      expect(r.stderr).toMatch(/nothing was written/);
      expect(readFileSync(join(p.root, 'infra/outputs/dev.json'), 'utf8')).toBe(committed('dev'));
    } finally {
      p.cleanup();
    }
  });

  it('refuses a stack of no known environment (usage, exit 2)', async () => {
    const r = await cli(['--root', repoRoot, 'infra-outputs', '--stack', 'prd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean "prod"\?/);
  });

  it('without the Pulumi CLI, says to install it and writes nothing', async () => {
    const p = tempProject();
    const path = process.env.PATH;
    try {
      // A PATH with no \`pulumi\` on it: the Automation API cannot start the CLI.
      process.env.PATH = join(p.root, 'no-bin');
      const r = await cli(['--root', p.root, 'infra-outputs', '--stack', 'dev']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the Pulumi CLI is not installed or not on PATH/);
      expect(r.stderr).toMatch(/https:\/\/www\.pulumi\.com\/docs\/install\//);
      expect(readFileSync(join(p.root, 'infra/outputs/dev.json'), 'utf8')).toBe(committed('dev'));
    } finally {
      process.env.PATH = path;
      p.cleanup();
    }
  });

  it('--dry-run prints the snapshot instead of writing it', async () => {
    const json = join(repoRoot, 'infra/outputs/prod.json');
    const r = await cli(['--root', repoRoot, 'infra-outputs', '--stack', 'prod', '--from-json', json, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout + '\n').toBe(committed('prod'));
  });
});
