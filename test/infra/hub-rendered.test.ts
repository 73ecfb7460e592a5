/**
 * The Argo CD hub under mocks in the default registration mode (`clusterRegistration:
 * rendered`), on a development-tier stack: Argo CD without HA, the bootstrap Application, and
 * no cluster Secret made by Pulumi (the render writes them; never both).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../infra/policy/rules.js';
import { ARGOCD_CHART_VERSION } from '../../infra/settings.js';
import { PROJECT, runStack, type StackRun } from './harness.js';

describe('the Argo CD hub on the dev cluster, cluster Secrets rendered', () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({
      env: 'dev',
      config: { [`${PROJECT}:hub`]: 'true', [`${PROJECT}:argocdHubPrincipalArn`]: 'arn:aws:iam::123456789012:role/argocd-hub', [`${PROJECT}:argocdChartVersion`]: '7.6.12' },
    });
  }, 60_000);

  it('installs Argo CD at the stack\'s pinned chart version, without HA outside production', () => {
    const release = run.one('kubernetes:helm.sh/v3:Release');
    expect(release.inputs.version).toBe('7.6.12');
    expect(release.inputs.version).not.toBe(ARGOCD_CHART_VERSION);
    const values = release.inputs.values as Record<string, any>;
    expect(values['redis-ha']).toEqual({ enabled: false });
    expect([values.controller.replicas, values.server.replicas, values.repoServer.replicas, values.applicationSet.replicas]).toEqual([1, 1, 1, 1]);
    expect(values.server.service.type).toBe('ClusterIP');
  });

  it('creates the bootstrap Application and no cluster Secret', () => {
    expect(run.one('kubernetes:argoproj.io/v1alpha1:Application').inputs.metadata).toMatchObject({ name: 'gitops-bridge', namespace: 'argocd' });
    expect(run.ofType('kubernetes:core/v1:Secret')).toEqual([]);
  });

  it('keeps the bridge exports of a stack without the hub, and passes every policy rule', () => {
    expect(Object.keys(run.outputs)).toContain('argocd_hub_role_arn');
    expect(Object.keys(run.outputs).filter((k) => /argocd/.test(k))).toEqual(['argocd_hub_role_arn']);
    expect(evaluate(run.resources)).toEqual([]);
  });
});
