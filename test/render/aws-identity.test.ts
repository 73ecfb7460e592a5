/**
 * The ServiceAccount and network policy an app's `serviceAccount.aws.identity` renders: IRSA
 * (the default, or said explicitly) puts the role ARN from the bridge on the ServiceAccount as
 * `eks.amazonaws.com/role-arn`; EKS Pod Identity puts nothing there (the association in the
 * cluster names the role) and lets the pods reach the node's Pod Identity agent.
 */
import { describe, expect, it } from 'vitest';
import { appObjects, POD_IDENTITY_AGENT_CIDR, type ChartApp } from '../../generators/charts/app-chart.js';
import type { KubeObject } from '../../generators/charts/object.js';
import type { SpecAppInstance } from '../../generators/load/fleet.js';
import type { AwsAccess } from '../../generators/load/types.gen.js';
import { readFleet } from '../../generators/workspace/fleet.js';
import { repoRoot } from '../helpers.js';

const fleet = readFleet(repoRoot);
const env = fleet.environments.find((e) => e.name === 'dev')!;
const invoiceReport = env.apps.find((a): a is SpecAppInstance => a.kind === 'spec' && a.name === 'invoice-report')!;

/** invoice-report's objects with its AWS access replaced. */
function render(aws: AwsAccess): KubeObject[] {
  const app: ChartApp = { ...invoiceReport, spec: { ...invoiceReport.spec, serviceAccount: { ...invoiceReport.spec.serviceAccount, aws } } };
  return appObjects(app, env);
}
const one = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind)! as KubeObject & { spec?: { egress: { to: { ipBlock?: { cidr: string } }[]; ports?: unknown[] }[] } };
const agentRules = (objects: KubeObject[]) => one(objects, 'NetworkPolicy').spec!.egress.filter((r) => r.to.some((t) => t.ipBlock?.cidr === POD_IDENTITY_AGENT_CIDR));
const roleOutput = 'invoice_report_iam_role_arn';

describe('serviceAccount.aws.identity', () => {
  it('the example fleet has invoice-report on EKS Pod Identity', () => {
    expect(invoiceReport.spec.serviceAccount?.aws?.identity).toBe('pod-identity');
  });

  it('pod-identity: no eks.amazonaws.com/role-arn annotation, egress to the agent on port 80 only', () => {
    const objects = render({ identity: 'pod-identity', roleOutput });
    const sa = one(objects, 'ServiceAccount');
    expect(sa.metadata.name).toBe('invoice-report');
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
    expect(JSON.stringify(objects)).not.toContain(env.outputs[roleOutput]);
    expect(agentRules(objects)).toEqual([{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  it.each([
    ['irsa, said explicitly', { identity: 'irsa', roleOutput } as AwsAccess],
    ['irsa, the default', { roleOutput } as AwsAccess],
  ])('%s: the role ARN from the bridge on the ServiceAccount, no agent rule', (_what, aws) => {
    const objects = render(aws);
    expect(one(objects, 'ServiceAccount').metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(env.outputs[roleOutput]);
    expect(env.outputs[roleOutput]).toMatch(/^arn:aws:iam::\d{12}:role\/shop-dev-invoice-report$/);
    expect(agentRules(objects)).toEqual([]);
  });
});
