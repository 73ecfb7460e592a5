/**
 * `check --explain` as a user runs it, on copies of the example fleet: a spec app's object with
 * its overlay fields and patch, a Kustomize app's resource file and line, exemptions and check
 * results, JSON, and an unknown object as a usage error with a did-you-mean.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempProject } from '../helpers.js';

let project: ReturnType<typeof tempProject>;
beforeAll(() => {
  project = tempProject();
  // orders-worker loses its probe and is exempted from `probes` in dev only: dev shows the
  // exemption, staging (advisory) a warning, prod (mandatory there) a failure.
  const app = join(project.root, 'manifests/apps/orders-worker/app.yaml');
  writeFileSync(app, readFileSync(app, 'utf8').replace(/  probes:\n    liveness: .*\n/, ''));
  writeFileSync(
    join(project.root, 'manifests/apps/orders-worker/exemptions.yaml'),
    'apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: orders-worker\nexemptions:\n  - policy: probes\n    reason: no port to probe yet (ORD-142)\n    environments: [dev]\n',
  );
});
afterAll(() => project.cleanup());

const explain = (...args: string[]) => cli(['--root', project.root, 'check', '--explain', ...args]);

describe('check --explain', () => {
  it('a spec app object by its rendered file: app, spec files, overlay fields with lines, the patch on it, every check', async () => {
    const r = await explain('rendered/prod/storefront/rollout-storefront.yaml');
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('Rollout storefront/storefront (argoproj.io/v1alpha1) in rendered/prod/storefront/rollout-storefront.yaml');
    expect(out).toContain('produced by: app storefront (spec app) in prod, from manifests/apps/storefront/app.yaml');
    expect(out).toContain('spec files: manifests/apps/storefront/app.yaml, manifests/apps/storefront/overlays/prod.yaml');
    expect(out).toMatch(/\/spec\/config\/LOG_LEVEL {2}manifests\/apps\/storefront\/overlays\/prod\.yaml:9\n/);
    expect(out).toMatch(/\/spec\/disruptionBudget\/minAvailable {2}manifests\/apps\/storefront\/overlays\/prod\.yaml:18\n/);
    // A field only the base sets is not listed as the overlay's.
    expect(out).not.toContain('/spec/image/');
    expect(out).toContain('add /spec/template/spec/topologySpreadConstraints  manifests/apps/storefront/overlays/prod.yaml:36 (/patches/0/operations/0)');
    expect(out).toContain('exemptions applied: none');
    expect(out).toMatch(/kubernetes-schema +mandatory +pass/);
    expect(out).toMatch(/kubernetes-api +mandatory +pass/);
    expect(out).toMatch(/references-resolve +mandatory +pass/);
    expect(out).toMatch(/probes +mandatory +pass/);
    // Not another object's patch: the Service has none.
    const svc = await explain('prod/storefront/service-storefront.yaml');
    expect(svc.code, svc.stderr).toBe(0);
    expect(svc.stdout).not.toContain('overlay patches');
  });

  it('a Kustomize app object: the resource file and line it was written at', async () => {
    const r = await explain('rendered/prod/aws-load-balancer-controller/deployment-aws-load-balancer-controller.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('produced by: addon aws-load-balancer-controller (kustomize app) in prod, from manifests/addons/aws-load-balancer-controller/base/deployment.yaml:1');
  });

  it('Kind/namespace/name in every environment, as JSON: exempted in dev, a warning in staging, a failure in prod', async () => {
    const r = await explain('deployment/orders/orders-worker', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as any[];
    expect(list.map((x) => x.environment)).toEqual(['dev', 'prod', 'staging']);
    const probes = (env: string) => list.find((x) => x.environment === env).checks.find((c: any) => c.id === 'probes');
    expect(probes('dev')).toMatchObject({ level: 'advisory', result: 'exempted' });
    expect(probes('dev').findings[0].message).toMatch(/probe/);
    expect(probes('staging')).toMatchObject({ level: 'advisory', result: 'warning' });
    expect(probes('prod')).toMatchObject({ level: 'mandatory', result: 'fail' });
    const dev = list.find((x) => x.environment === 'dev');
    expect(dev.exemptions).toEqual([{ policy: 'probes', reason: 'no port to probe yet (ORD-142)', file: 'manifests/apps/orders-worker/exemptions.yaml', pointer: '/exemptions/0', line: 6, lifted: 1 }]);
    expect(dev.app).toEqual({ name: 'orders-worker', source: 'app', kind: 'spec' });
    expect(list.find((x) => x.environment === 'prod').exemptions).toEqual([]);
    // --env narrows it.
    const one = await explain('Deployment/orders/orders-worker', '--env', 'prod', '--format', 'json');
    expect(JSON.parse(one.stdout).map((x: any) => x.environment)).toEqual(['prod']);
  });

  it('an unknown object or file is a usage error with a did-you-mean', async () => {
    const a = await explain('Deployment/orders/orders-wroker');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('no rendered object "Deployment/orders/orders-wroker"');
    expect(a.stderr).toContain('did you mean "Deployment/orders/orders-worker"?');
    const b = await explain('rendered/prod/storefront/rollout-storefrnt.yaml');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('did you mean "rendered/prod/storefront/rollout-storefront.yaml"?');
    const c = await explain('rendered/prd/storefront/rollout-storefront.yaml');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('did you mean "rendered/prod/storefront/rollout-storefront.yaml"?');
  });
});
