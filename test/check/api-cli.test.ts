/**
 * The API server's rules and references-resolve through the CLI, on a copy of the example
 * project with the examples written into it: exit 1, each finding on the spec file and
 * line that set it, the rendered file and pointer, a hint; nothing written; no exemption lifts
 * kubernetes-api.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, eachExampleProject, snapshotDir } from '../helpers.js';

const project = eachExampleProject();
const { path, edit, lineOf } = project;
const run = (...args: string[]) => cli(['--root', project.root, ...args]);

/** `npm run check` refuses and render writes nothing; returns check's stderr. */
async function refused(): Promise<string> {
  const check = await run('check');
  expect(check.code, check.stdout + check.stderr).toBe(1);
  const render = await run('render');
  expect(render.code).toBe(1);
  expect(render.stderr).toContain('nothing was written');
  expect(snapshotDir(path('rendered'))).toEqual(project.before);
  return check.stderr;
}

const ORDERS = 'manifests/apps/orders-api/app.yaml';
const ORDERS_PROD = 'manifests/apps/orders-api/overlays/prod.yaml';
const INVOICE = 'manifests/apps/invoice-report/app.yaml';
const STOREFRONT_PROD = 'manifests/apps/storefront/overlays/prod.yaml';
const LBC_PROD = 'manifests/addons/aws-load-balancer-controller/overlays/prod/kustomization.yaml';

describe('API-server validation through the CLI', () => {
  it("the issue's spec-app examples: requests over limits, an Ingress host, a CronJob schedule and time zone, HPA bounds, a probe's port", async () => {
    edit(ORDERS_PROD, (t) => t.replace('requests: { cpu: 500m, memory: 512Mi }', 'requests: { cpu: "3", memory: 512Mi }'));
    edit(ORDERS, (t) => t.replace('host: orders-api.internal.${env.domain}', 'host: Orders_API.example.com').replace('readiness: { path: /ready, port: http }', 'readiness: { path: /ready, port: admin }'));
    edit(INVOICE, (t) => t.replace('schedule: "30 2 * * *"', 'schedule: "61 25 * * *"').replace('timeZone: Etc/UTC', 'timeZone: Mars/Olympus'));
    edit(STOREFRONT_PROD, (t) => t.replace('minReplicas: 3', 'minReplicas: 5').replace('maxReplicas: 12', 'maxReplicas: 4'));
    const err = await refused();
    const says = (file: string, text: string, finding: string, hint?: string) => {
      expect(err).toContain(`error: ${file}:${lineOf(file, text)}: [kubernetes-api] ${finding}`);
      if (hint) expect(err).toContain(`${finding}\n  hint: ${hint}`);
    };
    says(ORDERS_PROD, 'requests:', 'rendered/prod/orders-api/deployment-orders-api.yaml at /spec/template/spec/containers/0/resources/requests/cpu: requests.cpu (3) is more than limits.cpu (2)', 'a container cannot request more cpu than its limit: lower the request or raise the limit');
    says(ORDERS, 'host:', 'rendered/prod/orders-api/ingress-orders-api.yaml at /spec/rules/0/host: host "Orders_API.example.com" must be a DNS-1123 subdomain');
    expect(err).toContain('hint: did you mean "orders-api.example.com"?');
    says(ORDERS, 'readiness:', 'rendered/dev/orders-api/deployment-orders-api.yaml at /spec/template/spec/containers/0/readinessProbe/httpGet/port: the readiness probe names port "admin", which container "orders-api" does not declare', 'use one of its ports: http, metrics');
    says(INVOICE, 'schedule:', 'rendered/prod/invoice-report/cronjob-invoice-report.yaml at /spec/schedule: schedule "61 25 * * *" minute "61": 61 is above the maximum 59', 'five fields:');
    says(INVOICE, 'timeZone:', 'rendered/prod/invoice-report/cronjob-invoice-report.yaml at /spec/timeZone: timeZone "Mars/Olympus" is not a time zone of the IANA tz database');
    says(STOREFRONT_PROD, 'maxReplicas:', 'rendered/prod/storefront/horizontalpodautoscaler-storefront.yaml at /spec/maxReplicas: maxReplicas (4) is less than minReplicas (5)', 'raise maxReplicas to minReplicas or more, or lower minReplicas');
  });

  it('a Kustomize app: a label value set by a JSON 6902 patch, and an HPA on a CronJob (references-resolve)', async () => {
    edit(LBC_PROD, (t) => t.replace('        value: --enable-waf=true\n', '        value: --enable-waf=true\n      - op: add\n        path: /metadata/labels/tier\n        value: front end\n').replace('  - pdb.yaml\n', '  - pdb.yaml\n  - hpa.yaml\n'));
    writeFileSync(
      path('manifests/addons/aws-load-balancer-controller/overlays/prod/hpa.yaml'),
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: nightly-report\nspec:\n  scaleTargetRef: { apiVersion: batch/v1, kind: CronJob, name: nightly-report }\n  minReplicas: 1\n  maxReplicas: 3\n',
    );
    const err = await refused();
    expect(err).toMatch(/\[kubernetes-api\] rendered\/prod\/aws-load-balancer-controller\/deployment-aws-load-balancer-controller\.yaml at \/metadata\/labels\/tier: label "tier" has value "front end", which must be empty or letters/);
    expect(err).toContain(
      'error: manifests/addons/aws-load-balancer-controller/overlays/prod/hpa.yaml:6: [references-resolve] rendered/prod/aws-load-balancer-controller/horizontalpodautoscaler-nightly-report.yaml at /spec/scaleTargetRef/kind: an HPA cannot scale a CronJob (CronJob "nightly-report" has no scale subresource)',
    );
  });

  it('a 1.2 MB ConfigMap (two values of 600 kB), in JSON for CI; an exemption cannot lift it', async () => {
    // Two values under the 1 MiB a single value may hold (load/limits.ts), together over the data
    // limit and under the 1.5 MiB a rendered object may reach (larger is a render error).
    edit(ORDERS, (t) => t.replace('    DB_POOL_SIZE: "10"\n', `    DB_POOL_SIZE: "10"\n    CATALOG: "${'x'.repeat(600_000)}"\n    CATALOG_2: "${'y'.repeat(600_000)}"\n`));
    writeFileSync(path('manifests/apps/orders-api/exemptions.yaml'), 'apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: orders-api\nexemptions:\n  - policy: kubernetes-api\n    reason: it fits\n');
    const exempted = await run('check');
    expect(exempted.code).toBe(1);
    expect(exempted.stderr).toMatch(/manifests\/apps\/orders-api\/exemptions\.yaml:6 at \/exemptions\/0\/policy: .*must be one of/);
    rmSync(path('manifests/apps/orders-api/exemptions.yaml'));
    const r = await run('check', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { violations: Record<string, unknown>[] };
    expect(report.violations.filter((v) => v.environment === 'prod')).toEqual([
      {
        policy: 'kubernetes-api',
        level: 'mandatory',
        environment: 'prod',
        app: 'orders-api',
        file: 'rendered/prod/orders-api/configmap-orders-api-config.yaml',
        resource: 'ConfigMap/orders-api-config',
        pointer: '/data',
        source: ORDERS,
        line: lineOf(ORDERS, 'config:'),
        message: 'ConfigMap "orders-api-config" holds 1200022 bytes of data, more than the API server\'s limit of 1048576 (1 MiB)',
        hint: 'split the data across several objects, or ship it another way (a volume, an image, object storage)',
      },
    ]);
    expect(snapshotDir(path('rendered'))).toEqual(project.before);
  });
});
