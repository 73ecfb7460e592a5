/**
 * Brought apps end to end, through the CLI as a user runs it, on temporary copies of the example
 * project: the Kustomize addon (manifests/addons/aws-load-balancer-controller/: base, a component,
 * overlays, its IRSA role in aws-access.yaml) and the chart app (manifests/apps/status-page/:
 * chart.ts importing settings.ts). What a user sees: the bridge's values in the output, bad input
 * refused with exit 1, the file, the line or JSON pointer and a hint, rendered/ byte-identical;
 * check, diff and rendered-commit on the new app directories; and only what an edit touches
 * rendered again. The comparison with `kubectl kustomize` is in brought-apps-kubectl.test.ts.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, editFile, snapshotDir, tempProject } from '../helpers.js';
import { git, lsTree, renderedBlobs, renderedCommit, repoPerTest } from '../git/git-helpers.js';

const ADDON = 'aws-load-balancer-controller';
const ADDON_DIR = `manifests/addons/${ADDON}`;
const CHART_DIR = 'manifests/apps/status-page';
const ENVIRONMENTS = ['dev', 'prod', 'staging'];

let projects: { root: string; cleanup: () => void }[] = [];
afterEach(() => {
  projects.forEach((p) => p.cleanup());
  projects = [];
});

/** A fresh copy of the example project, removed after the test. */
function example() {
  const p = tempProject();
  projects.push(p);
  const path = (rel: string) => join(p.root, rel);
  return {
    root: p.root,
    path,
    read: (rel: string) => readFileSync(path(rel), 'utf8'),
    /** Rewrites an input file; fails when the edit would change nothing (the text it looks for is gone). */
    edit(rel: string, fn: (text: string) => string) {
      editFile(path(rel), (before) => {
        const after = fn(before);
        if (after === before) throw new Error(`edit of ${rel} changed nothing`);
        return after;
      });
    },
    /** The 1-based line of the first line of `rel` containing `text`. */
    lineOf(rel: string, text: string): number {
      const i = readFileSync(path(rel), 'utf8').split('\n').findIndex((l) => l.includes(text));
      if (i < 0) throw new Error(`${rel} has no line with ${JSON.stringify(text)}`);
      return i + 1;
    },
  };
}
type Example = ReturnType<typeof example>;

/**
 * `render` refuses (exit 1, "nothing was written", rendered/ byte-identical), and so does `check`;
 * returns both stderrs for the caller to look for the file, place and hint in.
 */
async function refused(p: Example): Promise<{ render: string; check: string }> {
  const before = snapshotDir(p.path('rendered'));
  const r = await cli(['--root', p.root, 'render']);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(/(^|; )nothing was written$/m);
  expect(snapshotDir(p.path('rendered'))).toEqual(before);
  const c = await cli(['--root', p.root, 'check']);
  expect(c.code, c.stdout + c.stderr).toBe(1);
  expect(snapshotDir(p.path('rendered'))).toEqual(before);
  return { render: r.stderr, check: c.stderr };
}

/** Expects `text` in both outputs of refused(). */
function bothSay(out: { render: string; check: string }, ...texts: (string | RegExp)[]): void {
  for (const text of texts) {
    for (const [which, stderr] of Object.entries(out)) {
      if (typeof text === 'string') expect(stderr, which).toContain(text);
      else expect(stderr, which).toMatch(text);
    }
  }
}

const parse = (text: string) => yaml.load(text) as { metadata: { annotations?: Record<string, string> }; data?: Record<string, string>; spec?: { replicas?: number } };

describe('the example fleet', () => {
  it('check passes on the committed example, and the bridge values reach the Kustomize addon and the chart app in every environment', async () => {
    const p = example();
    const c = await cli(['--root', p.root, 'check']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^rendered\/ is up to date/);

    for (const env of ENVIRONMENTS) {
      const outputs = JSON.parse(p.read(`infra/outputs/${env}.json`)) as Record<string, string>;
      const arn = outputs.aws_load_balancer_controller_iam_role_arn!;
      expect(arn).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:role/.*${ADDON}$`));
      // The IRSA role the Pulumi program made from aws-access.yaml, on the vendored ServiceAccount.
      const dir = `rendered/${env}/${ADDON}`;
      const accounts = readdirSync(p.path(dir)).filter((f) => f.startsWith('serviceaccount-'));
      expect(accounts).toEqual([`serviceaccount-${ADDON}.yaml`]);
      expect(parse(p.read(`${dir}/${accounts[0]}`)).metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(arn);
      // The configMapGenerator's literals, resolved before kustomize's hash was taken.
      const configs = readdirSync(p.path(dir)).filter((f) => f.startsWith(`configmap-${ADDON}-config-`));
      expect(configs).toHaveLength(1);
      expect(parse(p.read(`${dir}/${configs[0]}`)).data).toMatchObject({ 'cluster-name': outputs.aws_cluster_name, 'aws-vpc-id': outputs.aws_vpc_id });
      // ctx.bridge() in the chart.
      expect(parse(p.read(`rendered/${env}/status-page/configmap-status-page-config.yaml`)).data).toMatchObject({ CLUSTER_NAME: outputs.aws_cluster_name, AWS_REGION: outputs.aws_region });
    }
    // The ARNs differ per environment (one account each): a value copied across would show.
    const arns = ENVIRONMENTS.map((env) => (JSON.parse(p.read(`infra/outputs/${env}.json`)) as Record<string, string>).aws_load_balancer_controller_iam_role_arn);
    expect(new Set(arns).size).toBe(3);
  });
});

describe('bad input in a Kustomize app', () => {
  it('an unknown ${bridge.<key>} in a resource file: the file, line and pointer, the snapshot, did-you-mean', async () => {
    const p = example();
    const file = `${ADDON_DIR}/base/serviceaccount.yaml`;
    p.edit(file, (t) => t.replace('${bridge.aws_load_balancer_controller_iam_role_arn}', '${bridge.aws_load_balancer_controler_iam_role_arn}'));
    const out = await refused(p);
    const line = p.lineOf(file, 'controler');
    for (const env of ENVIRONMENTS) {
      bothSay(
        out,
        `error: ${file}:${line} at /metadata/annotations/eks.amazonaws.com~1role-arn: app "${ADDON}" in environment "${env}" references bridge key "aws_load_balancer_controler_iam_role_arn", which infra/outputs/${env}.json does not have`,
      );
    }
    bothSay(out, 'hint: did you mean "aws_load_balancer_controller_iam_role_arn"?');
  });

  it('secretGenerator is refused with its line and pointer, and the hint names ExternalSecret', async () => {
    const p = example();
    const file = `${ADDON_DIR}/overlays/staging/kustomization.yaml`;
    p.edit(file, (t) => `${t}secretGenerator:\n  - name: webhook-token\n    literals:\n      - token=abc\n`);
    const out = await refused(p);
    bothSay(out, `error: ${file}:${p.lineOf(file, 'secretGenerator:')} at /secretGenerator: 'secretGenerator' is not supported`, /hint: .*ExternalSecret/);
  });

  it('helmCharts is refused with its line and pointer, and a hint saying what to do instead', async () => {
    const p = example();
    const file = `${ADDON_DIR}/base/kustomization.yaml`;
    p.edit(file, (t) => `${t}helmCharts:\n  - name: aws-load-balancer-controller\n    repo: https://aws.github.io/eks-charts\n    version: 1.13.2\n`);
    const out = await refused(p);
    bothSay(out, `error: ${file}:${p.lineOf(file, 'helmCharts:')} at /helmCharts: 'helmCharts' is not supported`, /hint: .*helm template.*resources/);
  });

  it('a patch file that is missing: the kustomization line that names it', async () => {
    const p = example();
    rmSync(p.path(`${ADDON_DIR}/overlays/prod/controller-production.yaml`));
    const out = await refused(p);
    const file = `${ADDON_DIR}/overlays/prod/kustomization.yaml`;
    bothSay(
      out,
      `error: ${file}:${p.lineOf(file, 'path: controller-production.yaml')} at /patches/0/path: file 'controller-production.yaml' does not exist`,
      `hint: check the path; it is read relative to ${ADDON_DIR}/overlays/prod`,
    );
  });

  it('an overlay directory for an unknown environment: did-you-mean', async () => {
    const p = example();
    renameSync(p.path(`${ADDON_DIR}/overlays/prod`), p.path(`${ADDON_DIR}/overlays/prd`));
    const out = await refused(p);
    bothSay(out, `error: ${ADDON_DIR}/overlays/prd/kustomization.yaml: overlay for unknown environment "prd"`, 'hint: did you mean overlays/prod/?');
  });

  it('a custom resource breaking its rendered CRD (an enum): the resource file and line, the rendered file and pointer, the CRD', async () => {
    const p = example();
    const file = `${ADDON_DIR}/base/ingressclass.yaml`;
    p.edit(file, (t) => t.replace('scheme: internet-facing', 'scheme: public'));
    const out = await refused(p);
    for (const env of ENVIRONMENTS) {
      bothSay(
        out,
        `error: ${file}:${p.lineOf(file, 'scheme: public')}: [kubernetes-schema] rendered/${env}/${ADDON}/ingressclassparams-alb.yaml at /spec/scheme: "scheme" must be one of "internal", "internet-facing" (the elbv2.k8s.aws/v1beta1 IngressClassParams schema of CRD ingressclassparams.elbv2.k8s.aws (rendered/${env}/${ADDON}/customresourcedefinition-ingressclassparams.elbv2.k8s.aws.yaml))`,
      );
    }
    bothSay(out, 'hint: use one of the listed values');
  });

  it('a custom resource with a field its rendered CRD does not have: refused by render and by check, with did-you-mean', async () => {
    const p = example();
    const file = `${ADDON_DIR}/base/ingressclass.yaml`;
    p.edit(file, (t) => t.replace('  ipAddressType: ipv4\n', '  ipAddressType: ipv4\n  sslPolicyy: ELBSecurityPolicy-TLS13-1-2-2021-06\n'));
    const out = await refused(p);
    bothSay(out, new RegExp(`error: ${file}:${p.lineOf(file, 'sslPolicyy:')}: \\[kubernetes-schema\\] rendered/prod/${ADDON}/ingressclassparams-alb\\.yaml at /spec/sslPolicyy: unknown field "sslPolicyy" \\(not in the elbv2\\.k8s\\.aws/v1beta1 IngressClassParams schema of CRD`), 'hint: did you mean "sslPolicy"?');
  });

  it('aws-access.yaml whose metadata.name is not its directory: line and pointer', async () => {
    const p = example();
    const file = `${ADDON_DIR}/aws-access.yaml`;
    p.edit(file, (t) => t.replace(`  name: ${ADDON}\nspec:`, '  name: aws-lb-controller\nspec:'));
    const out = await refused(p);
    bothSay(out, `error: ${file}:${p.lineOf(file, 'name: aws-lb-controller')} at /metadata/name: metadata.name "aws-lb-controller" does not match its directory "${ADDON}"`, `hint: set metadata.name to "${ADDON}"`);
  });

  it('aws-access.yaml with an unknown bridge key in its policy: line, pointer and did-you-mean, per environment', async () => {
    const p = example();
    const file = `${ADDON_DIR}/aws-access.yaml`;
    p.edit(file, (t) => t.replace('${bridge.aws_vpc_id}', '${bridge.aws_vpcid}'));
    const out = await refused(p);
    for (const env of ENVIRONMENTS) {
      bothSay(out, `error: ${file}:${p.lineOf(file, 'aws_vpcid')} at /spec/serviceAccount/aws/policy/1/resources/0: app "${ADDON}" in environment "${env}" references bridge key "aws_vpcid", which infra/outputs/${env}.json does not have`);
    }
    bothSay(out, 'hint: did you mean "aws_vpc_id"?');
  });

  it('aws-access.yaml naming a ServiceAccount the app does not render: the role would trust nothing', async () => {
    const p = example();
    const file = `${ADDON_DIR}/aws-access.yaml`;
    p.edit(file, (t) => t.replace(/^    name: aws-load-balancer-controller$/m, '    name: controller'));
    const out = await refused(p);
    bothSay(
      out,
      `error: ${file}:${p.lineOf(file, 'name: controller')} at /spec/serviceAccount/name: the IRSA role of "${ADDON}" trusts ServiceAccount ${ADDON}/controller, which the app does not render in environment "dev"`,
      /hint: name a ServiceAccount the app renders in namespace aws-load-balancer-controller/,
    );
  });

  it('aws-access.yaml on Pod Identity while the vendored ServiceAccount keeps its IRSA annotation: the ServiceAccount file and line', async () => {
    const p = example();
    p.edit(`${ADDON_DIR}/aws-access.yaml`, (t) => t.replace('roleOutput: aws_load_balancer_controller_iam_role_arn', 'identity: pod-identity\n      roleOutput: aws_load_balancer_controller_iam_role_arn'));
    const out = await refused(p);
    const sa = `${ADDON_DIR}/base/serviceaccount.yaml`;
    bothSay(
      out,
      `error: ${sa}:${p.lineOf(sa, 'annotations:')} at /metadata/annotations/eks.amazonaws.com~1role-arn: ServiceAccount ${ADDON}/${ADDON} of "${ADDON}" uses EKS Pod Identity but carries the IRSA annotation eks.amazonaws.com/role-arn`,
      /hint: remove the annotation from the ServiceAccount/,
    );
  });

  it('aws-access.yaml beside a spec app: told to move it into app.yaml', async () => {
    const p = example();
    const access = p.read(`${ADDON_DIR}/aws-access.yaml`).replace(`  name: ${ADDON}\nspec:`, '  name: catalog-api\nspec:');
    writeFileSync(p.path('manifests/apps/catalog-api/aws-access.yaml'), access);
    const out = await refused(p);
    bothSay(
      out,
      'error: manifests/apps/catalog-api/aws-access.yaml: a spec app declares its AWS access in app.yaml, not in aws-access.yaml',
      'hint: move it to spec.serviceAccount.aws of manifests/apps/catalog-api/app.yaml and delete this file',
    );
  });
});

describe('bad input in a chart app', () => {
  const chart = `${CHART_DIR}/chart.ts`;

  it('a chart that throws: the chart file and line, the environment, how to try it alone', async () => {
    const p = example();
    p.edit(chart, (t) => t.replace('  const settings = statusPageSettings(ctx.environment.tier);\n', "  const settings = statusPageSettings(ctx.environment.tier);\n  if (ctx.environment.name === 'prod') throw new Error('status page not ready for prod');\n"));
    const out = await refused(p);
    bothSay(
      out,
      `error: ${chart}:${p.lineOf(chart, 'not ready for prod')}: chart of "status-page" failed in environment "prod": status page not ready for prod`,
      'hint: fix the chart at that line; run `npm run render -- --app status-page` to try it alone',
    );
    expect(out.render).not.toMatch(/environment "(dev|staging)"/);
  });

  it('a chart that throws in a module it imports: that module and line', async () => {
    const p = example();
    const settings = `${CHART_DIR}/settings.ts`;
    p.edit(settings, (t) => t.replace('  return tier', "  if (tier === 'staging') throw new RangeError('no settings for staging');\n  return tier"));
    const out = await refused(p);
    bothSay(out, `error: ${settings}:${p.lineOf(settings, 'no settings for staging')}: chart of "status-page" failed in environment "staging": no settings for staging`);
  });

  it('ctx.bridge() with an unknown key: the chart line, the snapshot, did-you-mean', async () => {
    const p = example();
    p.edit(chart, (t) => t.replace("ctx.bridge('aws_region')", "ctx.bridge('aws_regoin')"));
    const out = await refused(p);
    const line = p.lineOf(chart, 'aws_regoin');
    for (const env of ENVIRONMENTS) {
      bothSay(out, `error: ${chart}:${line}: app "status-page" in environment "${env}" references bridge key "aws_regoin", which infra/outputs/${env}.json does not have`);
    }
    bothSay(out, 'hint: did you mean "aws_region"?');
  });

  it('a chart that does not compile: file and line of the first error', async () => {
    const p = example();
    p.edit(chart, (t) => t.replace('  const selector = {', '  const selector = {{'));
    const out = await refused(p);
    bothSay(out, `error: ${chart}:${p.lineOf(chart, 'const selector = {{')}: chart does not compile: `, 'hint: ');
  });

  it('a chart that builds a Secret: the policy names the chart, and its hint the chart’s way out (no app spec to declare it in)', async () => {
    const p = example();
    p.edit(chart, (t) => t.replace('  if (settings.replicas > 1) {', () => "  new k8s.KubeSecret(chart, 'token', { metadata: { name: 'status-page-token' }, stringData: { token: 'x' } });\n  if (settings.replicas > 1) {"));
    const out = await refused(p);
    for (const env of ENVIRONMENTS) bothSay(out, `error: ${chart}: [no-plaintext-secret] rendered/${env}/status-page/secret-status-page-token.yaml at /: Secret "status-page-token" would put its data in git`);
    bothSay(out, /hint: render an ExternalSecret \(external-secrets\.io\) in its place \(built by the chart\)/);
    expect(out.render).not.toContain('app spec');
  });

  it('an app directory holding both app.yaml and chart.ts', async () => {
    const p = example();
    writeFileSync(p.path(`${CHART_DIR}/app.yaml`), p.read('manifests/apps/catalog-api/app.yaml').replace(/catalog-api/g, 'status-page'));
    const out = await refused(p);
    bothSay(
      out,
      `error: ${chart}: ${CHART_DIR} is more than one kind of app: app.yaml, chart.ts`,
      /hint: an app directory holds one of app\.yaml .*, chart\.ts .* or base\/kustomization\.yaml .*; keep one/,
    );
  });
});

describe('diff and rendered-commit on the brought apps', () => {
  const repo = repoPerTest();

  it('diff against the git base attributes a Kustomize overlay change and a chart module change to their environments and apps', async () => {
    const r = await repo();
    const edit = (rel: string, from: string, to: string) => editFile(join(r.root, rel), (t) => {
      if (!t.includes(from)) throw new Error(`${rel} has no ${from}`);
      return t.replace(from, to);
    });
    edit(`${ADDON_DIR}/overlays/prod/kustomization.yaml`, 'count: 2', 'count: 3');
    edit(`${CHART_DIR}/settings.ts`, 'replicas: 1,', 'replicas: 3,');

    const j = await cli(['--root', r.root, 'diff', '--base', 'HEAD', '--format', 'json']);
    expect(j.stderr).toBe('');
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout) as { hasChanges: boolean; environments: { name: string; apps: { name: string; resources: { status: string; kind: string; path: string; fields?: { path: string; before?: unknown; after?: unknown }[] }[] }[] }[] };
    expect(report.hasChanges).toBe(true);
    const changes = report.environments.flatMap((e) => e.apps.flatMap((a) => a.resources.map((res) => `${e.name}/${a.name} ${res.status} ${res.kind} ${res.path}`))).sort();
    expect(changes).toEqual([
      `dev/status-page added PodDisruptionBudget dev/status-page/poddisruptionbudget-status-page.yaml`,
      `dev/status-page changed Deployment dev/status-page/deployment-status-page.yaml`,
      `prod/${ADDON} changed Deployment prod/${ADDON}/deployment-${ADDON}.yaml`,
      `staging/status-page added PodDisruptionBudget staging/status-page/poddisruptionbudget-status-page.yaml`,
      `staging/status-page changed Deployment staging/status-page/deployment-status-page.yaml`,
    ]);
    const prod = report.environments.find((e) => e.name === 'prod')!.apps[0]!.resources[0]!;
    expect(prod.fields).toContainEqual(expect.objectContaining({ path: 'spec.replicas', before: 2, after: 3 }));

    const t = await cli(['--root', r.root, 'diff']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`    ~ Deployment ${ADDON}/${ADDON} changed  prod/${ADDON}/deployment-${ADDON}.yaml`);
    expect(t.stdout).toContain('    ~ Deployment status-page/status-page changed  dev/status-page/deployment-status-page.yaml');
    // nothing was written under rendered/
    expect(git(r.root, 'status', '--porcelain', '--', 'rendered')).toBe('');
  });

  it('rendered-commit puts the new app directories, with provenance, on the rendered branch', async () => {
    const r = await repo();
    const res = await renderedCommit(r.root, ['--repo-url', 'https://git.example.com/shop/gitops.git']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const tree = lsTree(r.root, 'refs/heads/rendered');
    const files = renderedBlobs(r.root);
    for (const env of ENVIRONMENTS) {
      for (const app of [ADDON, 'status-page']) {
        const dir = `${env}/${app}/`;
        const ours = [...files].filter(([path]) => path.startsWith(dir));
        expect(ours.length, dir).toBeGreaterThan(3);
        for (const [path, oid] of ours) expect(tree.get(path), path).toBe(oid);
        expect([...tree.keys()].filter((path) => path.startsWith(dir)).sort()).toEqual([...ours.map(([path]) => path), `${dir}README.md`, `${dir}hydrator.metadata`].sort());
        const metadata = JSON.parse(git(r.root, 'show', `refs/heads/rendered:${dir}hydrator.metadata`)) as { commands: string[] };
        expect(metadata.commands).toContain(`npm run render -- --env ${env} --app ${app}`);
      }
    }
  });
});

describe('incremental renders of the brought apps, the cache warm', () => {
  /** A render with GITOPS_BRIDGE_TIMINGS=1: its summary, and how many units it rendered (undefined: the last run's outcome was reused). */
  async function timedRender(root: string): Promise<{ stdout: string; rendered?: number; units?: number }> {
    const saved = process.env.GITOPS_BRIDGE_TIMINGS;
    process.env.GITOPS_BRIDGE_TIMINGS = '1';
    try {
      const r = await cli(['--root', root, 'render']);
      expect(r.code, r.stderr).toBe(0);
      const m = /^timing: render \((\d+) of (\d+) units rendered/m.exec(r.stderr);
      return { stdout: r.stdout, ...(m && { rendered: Number(m[1]), units: Number(m[2]) }) };
    } finally {
      if (saved === undefined) delete process.env.GITOPS_BRIDGE_TIMINGS;
      else process.env.GITOPS_BRIDGE_TIMINGS = saved;
    }
  }
  const changedFiles = (stdout: string) => stdout.split('\n').filter((l) => /^ {2}[+~-] /.test(l)).map((l) => l.trim()).sort();

  it('an edit to the chart’s imported module, to a Kustomize base file, and to nothing', async () => {
    const p = example();
    const first = await timedRender(p.root);
    expect(first.rendered).toBe(first.units); // a cold cache renders every unit
    expect(first.stdout).toContain(' 0 added, 0 changed, 0 removed');

    // settings.ts, which chart.ts imports: the chart's three units, nothing else.
    p.edit(`${CHART_DIR}/settings.ts`, (t) => t.replace('replicas: 1,', 'replicas: 3,'));
    const chart = await timedRender(p.root);
    expect(chart.rendered).toBe(3);
    expect(changedFiles(chart.stdout)).toEqual([
      '+ dev/status-page/poddisruptionbudget-status-page.yaml',
      '+ staging/status-page/poddisruptionbudget-status-page.yaml',
      '~ dev/status-page/deployment-status-page.yaml',
      '~ staging/status-page/deployment-status-page.yaml',
    ]);
    expect(parse(p.read('rendered/dev/status-page/deployment-status-page.yaml')).spec?.replicas).toBe(3);
    expect(parse(p.read('rendered/prod/status-page/deployment-status-page.yaml')).spec?.replicas).toBe(2);

    // A base file of the Kustomize addon: the addon in every environment, nothing else.
    p.edit(`${ADDON_DIR}/base/deployment.yaml`, (t) => t.replace('revisionHistoryLimit: 10', 'revisionHistoryLimit: 5'));
    const base = await timedRender(p.root);
    expect(base.rendered).toBe(3);
    expect(changedFiles(base.stdout)).toEqual(ENVIRONMENTS.map((env) => `~ ${env}/${ADDON}/deployment-${ADDON}.yaml`));

    // Nothing edited: nothing rendered (the last run's outcome is reused), nothing written.
    const before = snapshotDir(p.path('rendered'));
    const none = await timedRender(p.root);
    expect(none.rendered).toBeUndefined();
    expect(none.stdout).toMatch(/ 0 added, 0 changed, 0 removed, \d+ unchanged$/m);
    expect(snapshotDir(p.path('rendered'))).toEqual(before);
    // An input read again that changes no unit (a comment in a spec app): the fleet is loaded and
    // the charts compiled again, and every unit, the brought apps' included, comes from the cache.
    p.edit('manifests/apps/catalog-api/app.yaml', (t) => `# reviewed\n${t}`);
    const reloaded = await timedRender(p.root);
    expect(reloaded.rendered).toBe(0);
    expect(reloaded.units).toBe(first.units);
    expect(snapshotDir(p.path('rendered'))).toEqual(before);
    // And the incremental result is what a render from nothing writes.
    const fresh = example();
    rmSync(fresh.path('rendered'), { recursive: true });
    for (const rel of [`${CHART_DIR}/settings.ts`, `${ADDON_DIR}/base/deployment.yaml`]) writeFileSync(fresh.path(rel), p.read(rel));
    expect((await cli(['--root', fresh.root, 'render', '--quiet', '--no-cache'])).code).toBe(0);
    expect(snapshotDir(fresh.path('rendered'))).toEqual(before);
  });
});
