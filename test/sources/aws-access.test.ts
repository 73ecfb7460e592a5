/**
 * aws-access.yaml of a Kustomize or chart app, through the CLI: its bridge references resolve
 * in every environment, and the ServiceAccount it names is one the app renders; otherwise the
 * render stops naming the file and line, and writes nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, editFile, snapshotDir, tempProject } from '../helpers.js';

const ACCESS = 'manifests/addons/aws-load-balancer-controller/aws-access.yaml';
let project: { root: string; cleanup: () => void };
let before: Map<string, string>;

beforeEach(() => {
  project = tempProject();
  before = snapshotDir(join(project.root, 'rendered'));
});
afterEach(() => project.cleanup());

async function renderFails(): Promise<string> {
  const r = await cli(['--root', project.root, 'render']);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(snapshotDir(join(project.root, 'rendered'))).toEqual(before);
  return r.stderr;
}

describe('aws-access.yaml of a brought app', () => {
  it('an unknown bridge key in its policy names the file, line and pointer, with a did-you-mean', async () => {
    editFile(join(project.root, ACCESS), (t) => t.replace('${bridge.aws_vpc_id}', '${bridge.aws_vpcid}'));
    const err = await renderFails();
    expect(err).toMatch(/aws-access\.yaml:\d+ at \/spec\/serviceAccount\/aws\/policy\/1\/resources\/0: app "aws-load-balancer-controller" in environment "dev" references bridge key "aws_vpcid"/);
    expect(err).toContain('did you mean "aws_vpc_id"?');
  });

  it('the ServiceAccount it names must be one the app renders', async () => {
    editFile(join(project.root, ACCESS), (t) => t.replace(/^    name: aws-load-balancer-controller$/m, '    name: controller'));
    const err = await renderFails();
    expect(err).toMatch(/aws-access\.yaml:13 at \/spec\/serviceAccount\/name: the IRSA role of "aws-load-balancer-controller" trusts ServiceAccount aws-load-balancer-controller\/controller, which the app does not render/);
  });

  it('a spec app cannot have one', async () => {
    writeFileSync(join(project.root, 'manifests/apps/orders-api/aws-access.yaml'), 'kind: AwsAccess\n');
    const err = await renderFails();
    expect(err).toContain('a spec app declares its AWS access in app.yaml, not in aws-access.yaml');
  });
});
