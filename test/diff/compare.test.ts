/** The pure core of `diff`: object comparison, field paths, moves, risks, and the formatters' guards. */
import { describe, expect, it } from 'vitest';
import { compareRendered, parseRenderedFile } from '../../generators/diff/compare.js';
import { deepEqual, fieldChanges } from '../../generators/diff/fields.js';
import { diffJson } from '../../generators/diff/format-json.js';
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from '../../generators/diff/format-markdown.js';
import { colourWanted, formatTerminal } from '../../generators/diff/format-terminal.js';
import type { BaseInfo, DiffReport } from '../../generators/diff/model.js';
import { yamlDiff } from '../../generators/diff/unified.js';
import { toYaml } from '../../generators/engine/yaml.js';
import { validateDiffJson } from './fixture.js';

const baseInfo: BaseInfo = { ref: 'HEAD', commit: 'a'.repeat(40), layout: 'rendered-dir', description: 'rendered/ at HEAD (aaaaaaa)' };
const tiers = new Map([
  ['dev', 'development'],
  ['prod', 'production'],
]);

function deployment(overrides: { name?: string; namespace?: string; replicas?: number; image?: string; env?: { name: string; value: string }[] } = {}) {
  const name = overrides.name ?? 'api';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: overrides.namespace ?? 'shop', labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas: overrides.replicas ?? 2,
      template: {
        spec: {
          containers: [
            { name, image: overrides.image ?? 'registry/api:1.0.0', env: overrides.env ?? [{ name: 'A', value: '1' }] },
            { name: 'sidecar', image: 'registry/proxy:3' },
          ],
        },
      },
    },
  };
}

const compare = (base: Record<string, string>, next: Record<string, string>) =>
  compareRendered({ base: new Map(Object.entries(base)), next: new Map(Object.entries(next)), tiers, baseInfo });
const only = (report: DiffReport) => {
  const all = report.environments.flatMap((e) => e.apps.flatMap((a) => a.resources));
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('field changes', () => {
  it('ignore key order, match named list items by name, and address odd keys in brackets', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: '1' }, { a: 1 })).toBe(false);

    const before = deployment({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
    const after = deployment({ env: [{ name: 'NEW', value: 'x' }, { name: 'A', value: '1' }, { name: 'B', value: '3' }] });
    after.metadata.labels['app.kubernetes.io/name'] = 'renamed';
    expect(fieldChanges(before, after)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', op: 'replace', before: 'api', after: 'renamed' },
      { path: 'spec.template.spec.containers[name=api].env[name=NEW]', op: 'add', after: { name: 'NEW', value: 'x' } },
      { path: 'spec.template.spec.containers[name=api].env[name=B].value', op: 'replace', before: '2', after: '3' },
    ]);
  });

  it('report removed items, reordered named items, and lists without names by index or as a whole', () => {
    expect(fieldChanges({ l: [{ name: 'a' }, { name: 'b' }] }, { l: [{ name: 'a' }] })).toEqual([{ path: 'l[name=b]', op: 'remove', before: { name: 'b' } }]);
    expect(fieldChanges({ l: [{ name: 'a' }, { name: 'b' }] }, { l: [{ name: 'b' }, { name: 'a' }] })).toEqual([
      { path: 'l', op: 'replace', before: [{ name: 'a' }, { name: 'b' }], after: [{ name: 'b' }, { name: 'a' }] },
    ]);
    expect(fieldChanges({ args: ['a', 'b'] }, { args: ['a', 'c'] })).toEqual([{ path: 'args[1]', op: 'replace', before: 'b', after: 'c' }]);
    expect(fieldChanges({ args: ['a'] }, { args: ['a', 'c'] })).toEqual([{ path: 'args', op: 'replace', before: ['a'], after: ['a', 'c'] }]);
    expect(fieldChanges({ a: 1 }, { b: 1 })).toEqual([
      { path: 'a', op: 'remove', before: 1 },
      { path: 'b', op: 'add', after: 1 },
    ]);
    expect(fieldChanges('x', 'y')).toEqual([{ path: '.', op: 'replace', before: 'x', after: 'y' }]);
  });
});

describe('compareRendered', () => {
  it('formatting, quoting, key order and comments are not changes; values are', () => {
    const canonical = toYaml(deployment());
    const noisy = `# a comment\n${JSON.stringify(deployment(), null, 8)}\n`;
    const report = compare({ 'dev/api/deployment-api.yaml': canonical, 'dev/api/x.yaml': "a: 'b'\n" }, { 'dev/api/deployment-api.yaml': noisy, 'dev/api/x.yaml': 'a: "b"\n' });
    expect(report).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 2, environments: [] });

    const changed = compare({ 'dev/api/x.yaml': 'a: "1"\n' }, { 'dev/api/x.yaml': 'a: 1\n' });
    expect(only(changed).fields).toEqual([{ path: 'a', op: 'replace', before: '1', after: 1 }]);
  });

  it('a resource that moves to another app is one change with its old path, not a deletion and a creation', () => {
    const text = toYaml(deployment());
    const report = compare({ 'dev/old-app/deployment-api.yaml': text }, { 'dev/new-app/deployment-api.yaml': text });
    const r = only(report);
    expect(r).toMatchObject({ status: 'changed', path: 'dev/new-app/deployment-api.yaml', previousPath: 'dev/old-app/deployment-api.yaml', fields: [], risks: [] });
    expect(report).toMatchObject({ added: 0, changed: 1, removed: 0 });
    expect(yamlDiff(r)).toEqual([]);
    expect(formatTerminal(report, { color: false })).toContain('~ Deployment shop/api moved  dev/old-app/deployment-api.yaml -> dev/new-app/deployment-api.yaml');
    // but never across environments: those are different clusters
    const across = compare({ 'dev/a/deployment-api.yaml': text }, { 'prod/a/deployment-api.yaml': text });
    expect(across).toMatchObject({ added: 1, changed: 0, removed: 1 });
  });

  it('a namespace move is flagged, in place or across files', () => {
    const inPlace = only(compare({ 'dev/api/deployment-api.yaml': toYaml(deployment()) }, { 'dev/api/deployment-api.yaml': toYaml(deployment({ namespace: 'shop-v2' })) }));
    expect(inPlace.previousNamespace).toBe('shop');
    expect(inPlace.risks).toEqual([{ type: 'namespace-move', detail: 'namespace shop -> shop-v2' }]);
    const moved = only(compare({ 'dev/a/deployment-api.yaml': toYaml(deployment()) }, { 'dev/b/deployment-api.yaml': toYaml(deployment({ namespace: 'other' })) }));
    expect(moved).toMatchObject({ previousPath: 'dev/a/deployment-api.yaml', previousNamespace: 'shop', namespace: 'other' });
    expect(moved.risks.map((r) => r.type)).toEqual(['namespace-move']);
  });

  it('flags replicas to 0, image changes, containers added, production, RBAC, cluster-scoped, PVC and CRD changes', () => {
    const scaled = only(compare({ 'prod/api/d.yaml': toYaml(deployment()) }, { 'prod/api/d.yaml': toYaml(deployment({ replicas: 0, image: 'registry/api@sha256:abc' })) }));
    expect(scaled.risks).toEqual([
      { type: 'production', detail: 'changed in a production environment' },
      { type: 'scale-to-zero', detail: 'replicas 2 -> 0' },
      { type: 'image', detail: 'registry/api 1.0.0 -> sha256:abc' },
    ]);
    const withSidecar = deployment();
    withSidecar.spec.template.spec.containers.push({ name: 'debug', image: 'busybox:1' });
    expect(only(compare({ 'dev/api/d.yaml': toYaml(deployment()) }, { 'dev/api/d.yaml': toYaml(withSidecar) })).risks).toEqual([{ type: 'image', detail: 'container added: busybox:1' }]);

    const object = (apiVersion: string, kind: string, namespace?: string) => toYaml({ apiVersion, kind, metadata: { name: 'x', ...(namespace && { namespace }) } });
    const added = compare(
      {},
      {
        'dev/a/role-x.yaml': object('rbac.authorization.k8s.io/v1', 'Role', 'shop'),
        'dev/a/clusterrolebinding-x.yaml': object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
        'dev/a/persistentvolumeclaim-x.yaml': object('v1', 'PersistentVolumeClaim', 'shop'),
        'dev/a/customresourcedefinition-x.yaml': object('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
        'dev/a/configmap-x.yaml': object('v1', 'ConfigMap', 'shop'),
      },
    );
    const types = Object.fromEntries(added.environments[0]!.apps[0]!.resources.map((r) => [r.kind, r.risks.map((x) => x.type)]));
    expect(types).toEqual({
      ClusterRoleBinding: ['rbac', 'cluster-scoped'],
      ConfigMap: [],
      CustomResourceDefinition: ['cluster-scoped', 'crd'],
      PersistentVolumeClaim: ['pvc'],
      Role: ['rbac'],
    });
  });

  it('files that are not Kubernetes objects (or not YAML) are still compared, by path', () => {
    const report = compare({ 'dev/a/notes.txt': 'key: [unclosed\n', 'dev/a/multi.yaml': 'a: 1\n---\nb: 2\n' }, { 'dev/a/notes.txt': 'key: [still unclosed\n' });
    expect(report).toMatchObject({ changed: 1, removed: 1 });
    const [multi, notes] = report.environments[0]!.apps[0]!.resources;
    expect(multi).toMatchObject({ status: 'removed', path: 'dev/a/multi.yaml', risks: [{ type: 'deletion', detail: 'file deleted' }] });
    expect(notes!.fields).toEqual([{ path: '.', op: 'replace', before: 'key: [unclosed\n', after: 'key: [still unclosed\n' }]);
    expect(parseRenderedFile('x.yaml', 'a: 1\n---\nb: 2\n').value).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('groups by environment and app in sorted order, hub files included, and counts everything', () => {
    const text = (name: string) => toYaml(deployment({ name }));
    const report = compare(
      { 'prod/b/deployment-b.yaml': text('b'), 'dev/a/deployment-a.yaml': text('a'), 'argocd/appproject-dev.yaml': 'kind: AppProject\nmetadata: {name: dev}\n' },
      { 'prod/b/deployment-b.yaml': text('b2').replace('name: b2', 'name: b'), 'dev/z/deployment-z.yaml': text('z'), 'argocd/appproject-dev.yaml': 'kind: AppProject\nmetadata: {name: dev, labels: {a: b}}\n' },
    );
    expect(report.environments.map((e) => [e.name, e.tier, e.apps.map((a) => a.name)])).toEqual([
      ['argocd', undefined, ['']],
      ['dev', 'development', ['a', 'z']],
      ['prod', 'production', ['b']],
    ]);
    expect(report.compared).toEqual([{ name: 'argocd' }, { name: 'dev', tier: 'development' }, { name: 'prod', tier: 'production' }]);
    expect(report).toMatchObject({ added: 1, changed: 2, removed: 1, unchanged: 0 });
    expect(validateDiffJson(diffJson(report))).toEqual([]);
  });
});

describe('formatters', () => {
  it('colour follows FORCE_COLOR, then NO_COLOR, then the TTY', () => {
    expect(colourWanted({}, true)).toBe(true);
    expect(colourWanted({}, false)).toBe(false);
    expect(colourWanted({}, undefined)).toBe(false);
    expect(colourWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourWanted({ NO_COLOR: '' }, true)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
  });

  it('an added resource shows its whole YAML as added lines', () => {
    const lines = yamlDiff({ afterYaml: 'a: 1\nb: 2\n' });
    expect(lines.map((l) => l.text)).toEqual(['@@ -0,0 +1,2 @@', '+a: 1', '+b: 2']);
  });

  it('the markdown size guard holds for a huge diff and for any limit, and never leaves a block open', () => {
    const base: Record<string, string> = {};
    const next: Record<string, string> = {};
    for (let i = 0; i < 400; i++) {
      const env = ['dev', 'prod'][i % 2]!;
      const big = { ...deployment({ name: `app-${i}` }), data: Object.fromEntries(Array.from({ length: 60 }, (_, k) => [`key-${k}`, `value ${k} ${'x'.repeat(40)}`])) };
      base[`${env}/app-${i}/deployment-app-${i}.yaml`] = toYaml(big);
      next[`${env}/app-${i}/deployment-app-${i}.yaml`] = toYaml({ ...big, data: Object.fromEntries(Object.entries(big.data).map(([k, v]) => [k, v.toUpperCase()])) });
      next[`${env}/app-${i}/configmap-${'c'.repeat(50)}-${i}.yaml`] = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${'c'.repeat(50)}-${i}`, namespace: 'shop' }, data: big.data });
    }
    const report = compare(base, next);
    expect(report).toMatchObject({ added: 400, changed: 400 });
    for (const limit of [GITHUB_COMMENT_LIMIT, 20_000, 3_000, 500]) {
      const md = formatMarkdown(report, { limit });
      expect(md.length, `limit ${limit}`).toBeLessThan(limit);
      if (limit >= 20_000) {
        expect(md).toContain('| **Total** | | **400** | **400** | **0** |');
        expect(md.match(/<details>/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0);
        expect((md.match(/^```/gm)?.length ?? 0) % 2).toBe(0);
      }
    }
    const md = formatMarkdown(report);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT * 0.8); // it uses the room it has
    expect(md).toContain('**This diff is too large for one comment**');
    expect(md).toMatch(/> \d+ more apps \(\d+ changed resources\) not shown:/);
    expect(md).toContain('…and');
    // risky changes are capped too
    expect(md).toContain('more lines of risky changes');
  });

  it('markdown fences are longer than any backtick run in the content', () => {
    const report = compare({ 'dev/a/configmap-x.yaml': 'kind: ConfigMap\nmetadata: {name: x}\ndata: {a: "```"}\n' }, { 'dev/a/configmap-x.yaml': 'kind: ConfigMap\nmetadata: {name: x}\ndata: {a: "````"}\n' });
    const md = formatMarkdown(report);
    expect(md).toContain('`````diff\n');
  });
});
