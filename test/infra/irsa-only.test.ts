/**
 * A stack whose workloads all use IRSA: invoice-report switched back from EKS Pod Identity (one
 * line of its app.yaml). Then no Pod Identity agent add-on, no association, its role trusts the
 * OIDC provider again, and the bridge exports the same keys with the same role ARN: switching a
 * workload between the two modes changes its role's trust, never the contract.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject } from '../helpers.js';
import { runStack, snapshot, type StackRun } from './harness.js';

const ACCOUNT = '123456789012';

describe('a stack without Pod Identity workloads', () => {
  const project = tempProject();
  let run: StackRun;

  beforeAll(async () => {
    const file = join(project.root, 'manifests/apps/invoice-report/app.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^ {6}identity: pod-identity\n/m);
    writeFileSync(file, text.replace(/^ {6}identity: pod-identity\n/m, ''));
    run = await runStack({ env: 'dev', root: project.root, account: ACCOUNT });
  });
  afterAll(() => project.cleanup());

  it('installs no eks-pod-identity-agent add-on and creates no association', () => {
    expect(run.ofType('aws:eks/addon:Addon')).toEqual([]);
    expect(run.ofType('aws:eks/podIdentityAssociation:PodIdentityAssociation')).toEqual([]);
    expect(run.calls.filter((c) => c.token === 'aws:eks/getAddonVersion:getAddonVersion')).toEqual([]);
  });

  it('gives invoice-report an IRSA trust on the same role', () => {
    const role = run.one('aws:iam/role:Role', 'irsa-invoice-report');
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: unknown; Action: unknown; Condition: { StringEquals: Record<string, string> } }[] };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]!.Principal).toEqual({ Federated: run.outputs.oidc_provider_arn });
    expect(trust.Statement[0]!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust.Statement[0]!.Condition.StringEquals[`${String(run.outputs.oidc_provider)}:sub`]).toBe('system:serviceaccount:invoice-report:invoice-report');
    expect(JSON.stringify(trust)).not.toContain('pods.eks.amazonaws.com');
  });

  it('exports the same bridge keys, and the same role ARN, as the committed (Pod Identity) snapshot', () => {
    const snap = snapshot('dev');
    expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(snap).sort());
    expect(run.outputs.invoice_report_iam_role_arn).toBe(String(snap.invoice_report_iam_role_arn).split(String(snap.aws_account_id)).join(ACCOUNT));
  });
});
