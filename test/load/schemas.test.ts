import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secretReason } from '../../generators/core/secrets.js';
import { generateTypes, TYPES_FILE } from '../../generators/load/generate-types.js';

describe('schemas are the one source of truth', () => {
  it('generators/load/types.gen.ts is what `npm run schemas:types` makes from schemas/', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8'), 'run `npm run schemas:types`').toBe(await generateTypes());
  });
});

describe('secretReason', () => {
  it('flags Pulumi secrets, credential-looking values and credential-named keys', () => {
    expect(secretReason('db_password', '[secret]')).toMatch(/Pulumi/);
    expect(secretReason('x', 'AKIAIOSFODNN7EXAMPLE')).toMatch(/AWS access key/);
    expect(secretReason('x', '-----BEGIN RSA PRIVATE KEY-----\nabc')).toMatch(/private key/);
    expect(secretReason('api_token', 'abc123')).toMatch(/key name/);
  });

  it('lets bridge values through, including ARNs of secrets', () => {
    expect(secretReason('orders_db_secret_arn', 'arn:aws:secretsmanager:eu-west-1:1:secret:x')).toBeUndefined();
    expect(secretReason('cluster_certificate_authority_data', 'LS0tLS1CRUdJTi==')).toBeUndefined();
    expect(secretReason('aws_region', 'eu-west-1')).toBeUndefined();
  });
});
