/**
 * The specs drive the infrastructure: adding an app with AWS access to manifests/ makes the
 * program create its IRSA role (no edit in infra/), and once the role's ARN is in the snapshot,
 * `render` puts it on the app's ServiceAccount.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotText } from '../../generators/app/infra-outputs.js';
import { cli, tempProject } from '../helpers.js';
import { policyJson, runStack, snapshot, type StackRun } from './harness.js';

const APP = `apiVersion: gitops-bridge.dev/v1alpha1
kind: App
metadata:
  name: payments-api
spec:
  team: payments
  namespace: payments
  environments: [dev]
  image:
    repository: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments-api
    tag: 1.0.0
  ports:
    - name: http
      containerPort: 8080
      servicePort: 80
  resources:
    requests: { cpu: 100m, memory: 128Mi }
    limits: { cpu: 500m, memory: 256Mi }
  probes:
    readiness: { path: /ready, port: http }
    liveness: { path: /live, port: http }
  serviceAccount:
    name: payments
    aws:
      roleOutput: payments_api_iam_role_arn
      policy:
        - sid: PublishOrders
          actions: [sqs:SendMessage]
          resources: ["\${bridge.orders_queue_arn}"]
        - sid: Receipts
          actions: [s3:PutObject]
          resources: ["\${bridge.orders_documents_bucket_arn}/receipts/\${env.name}/*"]
`;

describe('adding an app with AWS access', () => {
  const project = tempProject();
  let run: StackRun;

  beforeAll(async () => {
    mkdirSync(join(project.root, 'manifests/apps/payments-api'), { recursive: true });
    writeFileSync(join(project.root, 'manifests/apps/payments-api/app.yaml'), APP);
    run = await runStack({ env: 'dev', root: project.root });
  });
  afterAll(() => project.cleanup());

  it('makes the program create its role, trusting only its ServiceAccount', () => {
    const role = run.one('aws:iam/role:Role', 'irsa-payments-api');
    expect(role.inputs.name).toBe('shop-dev-payments-api');
    const trust = policyJson(role.inputs.assumeRolePolicy).Statement[0]!;
    expect(trust.Condition).toEqual({
      StringEquals: {
        [`${String(run.outputs.oidc_provider)}:sub`]: 'system:serviceaccount:payments:payments',
        [`${String(run.outputs.oidc_provider)}:aud`]: 'sts.amazonaws.com',
      },
    });
    expect((role.inputs.tags as Record<string, string>).team).toBe('payments');
  });

  it('gives the role the spec statements, references resolved', () => {
    const policy = policyJson(run.one('aws:iam/rolePolicy:RolePolicy', 'irsa-payments-api').inputs.policy);
    expect(policy.Statement).toEqual([
      { Sid: 'PublishOrders', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [run.outputs.orders_queue_arn] },
      { Sid: 'Receipts', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`${String(run.outputs.orders_documents_bucket_arn)}/receipts/dev/*`] },
    ]);
  });

  it('exports its ARN under the roleOutput the spec names, as one more bridge key', () => {
    expect(run.outputs.payments_api_iam_role_arn).toBe(run.one('aws:iam/role:Role', 'irsa-payments-api').props.arn);
    expect(Object.keys(run.outputs).sort()).toEqual([...Object.keys(snapshot('dev')), 'payments_api_iam_role_arn'].sort());
  });

  it('once the ARN is in the snapshot, render puts it on the ServiceAccount', async () => {
    const text = snapshotText(Object.fromEntries(Object.entries(run.outputs).map(([k, value]) => [k, { value }])), 'infra/outputs/dev.json');
    writeFileSync(join(project.root, 'infra/outputs/dev.json'), text);
    const r = await cli(['--root', project.root, 'render', '--env', 'dev', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sa = yaml.load(readFileSync(join(project.root, 'rendered/dev/payments-api/serviceaccount-payments.yaml'), 'utf8')) as {
      metadata: { namespace: string; annotations: Record<string, string> };
    };
    expect(sa.metadata.namespace).toBe('payments');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(run.outputs.payments_api_iam_role_arn);
  });
});
