/**
 * What kustomizeBuild refuses: each unsupported feature and each input Kustomize itself rejects
 * is a BridgeError with code 'kustomize' naming the file, the JSON pointer of the field (and its
 * line) and a hint saying what to do instead.
 */
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { kustomizeBuild } from '../../generators/kustomize/build.js';

type Files = Record<string, string>;

function refusal(files: Files, dir = 'app', root = 'app'): BridgeError {
  try {
    kustomizeBuild({ files: new Map(Object.entries(files)), dir, root });
  } catch (e) {
    if (e instanceof BridgeError) return e;
    throw e;
  }
  throw new Error('the build was not refused');
}

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n';
const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: main, image: nginx}]\n';

/** A kustomization with `field` at line 3 (after two lines of resources). */
const withField = (field: string): Files => ({ 'app/kustomization.yaml': `resources:\n  - cm.yaml\n${field}`, 'app/cm.yaml': CM });

describe('unsupported Kustomize features', () => {
  const cases: [name: string, field: string, pointer: string, hint: RegExp][] = [
    ['secretGenerator', 'secretGenerator:\n  - name: s\n    literals: [password=x]\n', '/secretGenerator', /ExternalSecret/],
    ['helmCharts', 'helmCharts:\n  - name: redis\n    repo: https://charts.example.com\n', '/helmCharts', /chart/i],
    ['helmGlobals', 'helmGlobals:\n  chartHome: charts\n', '/helmGlobals', /helm/i],
    ['generators', 'generators:\n  - gen.yaml\n', '/generators', /configMapGenerator/],
    ['transformers', 'transformers:\n  - t.yaml\n', '/transformers', /built-in fields/],
    ['validators', 'validators:\n  - v.yaml\n', '/validators', /check stage/],
    ['openapi', 'openapi:\n  path: schema.json\n', '/openapi', /JSON 6902/],
    ['crds', 'crds:\n  - crd.json\n', '/crds', /replacements/],
    ['configurations', 'configurations:\n  - conf.yaml\n', '/configurations', /replacements/],
    ['vars', 'vars:\n  - name: X\n    objref: {kind: ConfigMap, name: cfg, apiVersion: v1}\n', '/vars', /replacements/],
    ['buildMetadata', 'buildMetadata: [originAnnotations]\n', '/buildMetadata', /remove it/],
  ];
  for (const [name, field, pointer, hint] of cases) {
    it(`refuses ${name}, naming the file, the field and its line, with a hint`, () => {
      const e = refusal(withField(field));
      expect(e.code).toBe('kustomize');
      expect(e.file).toBe('app/kustomization.yaml');
      expect(e.pointer).toBe(pointer);
      expect(e.line).toBe(3);
      expect(e.message).toContain(name);
      expect(e.hint).toMatch(hint);
    });
  }

  it('refuses an unknown field with a did-you-mean', () => {
    const e = refusal(withField('namePrefx: p-\n'));
    expect([e.file, e.pointer, e.line]).toEqual(['app/kustomization.yaml', '/namePrefx', 3]);
    expect(e.hint).toBe("did you mean 'namePrefix'?");
  });

  it('refuses an unknown field inside an entry', () => {
    const e = refusal(withField('configMapGenerator:\n  - name: c\n    literal: [a=b]\n'));
    expect([e.pointer, e.line]).toEqual(['/configMapGenerator/0/literal', 5]);
    expect(e.hint).toBe("did you mean 'literals'?");
  });

  it('refuses a value of the wrong type as Kustomize does (an unquoted number tag)', () => {
    const e = refusal(withField('images:\n  - name: nginx\n    newTag: 1.2\n'));
    expect([e.pointer, e.line]).toEqual(['/images/0/newTag', 5]);
    expect(e.message).toMatch(/quote it/);
  });

  for (const remote of ['https://github.com/example/repo//base?ref=v1', 'github.com/example/repo/base', 'git@github.com:example/repo.git']) {
    it(`refuses the remote resource ${remote}`, () => {
      const e = refusal({ 'app/kustomization.yaml': `resources:\n  - cm.yaml\n  - ${remote}\n`, 'app/cm.yaml': CM });
      expect([e.file, e.pointer, e.line]).toEqual(['app/kustomization.yaml', '/resources/1', 3]);
      expect(e.message).toMatch(/remote/);
      expect(e.hint).toMatch(/vendor/);
    });
  }

  it('refuses an empty kustomization', () => {
    const e = refusal({ 'app/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' });
    expect(e.file).toBe('app/kustomization.yaml');
    expect(e.message).toMatch(/empty/);
  });
});

describe('references Kustomize (or the app boundary) refuses', () => {
  it('a resource outside the root', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources:\n  - ../other/base\n', 'other/base/kustomization.yaml': 'resources: []\n' });
    expect([e.file, e.pointer, e.line]).toEqual(['app/kustomization.yaml', '/resources/0', 2]);
    expect(e.message).toMatch(/outside 'app'/);
    expect(e.hint).toMatch(/app directory/);
  });

  it('a resource file outside the kustomization directory (Kustomize reads files only below it)', () => {
    const e = refusal({ 'app/ov/kustomization.yaml': 'resources:\n  - ../cm.yaml\n', 'app/cm.yaml': CM }, 'app/ov');
    expect([e.file, e.pointer]).toEqual(['app/ov/kustomization.yaml', '/resources/0']);
    expect(e.message).toMatch(/not in or below/);
    expect(e.hint).toMatch(/kustomization/);
  });

  it('a missing file and a missing directory', () => {
    const file = refusal({ 'app/kustomization.yaml': 'resources:\n  - cm.yaml\n  - nope.yaml\n', 'app/cm.yaml': CM });
    expect([file.pointer, file.line]).toEqual(['/resources/1', 3]);
    expect(file.message).toMatch(/does not exist/);
    const patch = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\npatches:\n  - path: missing.yaml\n', 'app/cm.yaml': CM });
    expect([patch.pointer, patch.line]).toEqual(['/patches/0/path', 3]);
    const dir = refusal({ 'app/kustomization.yaml': 'resources:\n  - base\n', 'app/base/cm.yaml': CM });
    expect([dir.pointer, dir.line]).toEqual(['/resources/0', 2]);
    expect(dir.message).toMatch(/no kustomization.yaml/);
  });

  it('a cycle (an overlay inside its base)', () => {
    const e = refusal({ 'app/base/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/base/cm.yaml': CM, 'app/base/ov/kustomization.yaml': 'resources:\n  - ..\n' }, 'app/base/ov');
    expect([e.file, e.pointer, e.line]).toEqual(['app/base/ov/kustomization.yaml', '/resources/0', 2]);
    expect(e.message).toMatch(/cycle/);
    expect(e.hint).toMatch(/sibling/);
  });

  it('two objects with the same id', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources:\n  - cm.yaml\n  - again.yaml\n', 'app/cm.yaml': CM, 'app/again.yaml': CM });
    expect([e.file, e.pointer, e.line]).toEqual(['app/kustomization.yaml', '/resources/1', 3]);
    expect(e.message).toMatch(/defined twice.*app\/cm.yaml.*app\/again.yaml/);
  });

  it('a strategic-merge patch that names no object', () => {
    const e = refusal({
      'app/kustomization.yaml': 'resources: [cm.yaml]\npatches:\n  - path: p.yaml\n',
      'app/cm.yaml': CM,
      'app/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata: {a: b}\n',
    });
    expect([e.file, e.pointer, e.line]).toEqual(['app/p.yaml', '/metadata/name', 4]);
    expect(e.message).toMatch(/no object matches/);
    expect(e.hint).toMatch(/before this kustomization's namePrefix/);
  });

  it('an inline strategic-merge patch that names no object, at its field of the kustomization', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: x}\n', 'app/cm.yaml': CM });
    expect([e.file, e.pointer, e.line]).toEqual(['app/kustomization.yaml', '/patches/0/patch', 3]);
  });

  it('a JSON 6902 patch that cannot apply', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\npatchesJson6902:\n  - target: {version: v1, kind: ConfigMap, name: cfg}\n    patch: |-\n      - {op: replace, path: /data/missing, value: x}\n', 'app/cm.yaml': CM });
    expect([e.file, e.pointer]).toEqual(['app/kustomization.yaml', '/patchesJson6902/0/patch']);
    expect(e.message).toMatch(/JSON 6902 patch of v1 ConfigMap cfg failed/);
  });

  it('replicas naming no workload', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources: [d.yaml]\nreplicas:\n  - {name: nope, count: 2}\n', 'app/d.yaml': DEPLOY });
    expect([e.pointer, e.line]).toEqual(['/replicas/0', 3]);
    expect(e.message).toMatch(/nope/);
  });

  it('a replacement whose source selects nothing, and one whose target field is missing', () => {
    const none = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\nreplacements:\n  - source: {kind: Secret, name: x}\n    targets: [{select: {kind: ConfigMap}}]\n', 'app/cm.yaml': CM });
    expect([none.pointer, none.line]).toEqual(['/replacements/0', 3]);
    expect(none.message).toMatch(/selects nothing/);
    const missing = refusal({
      'app/kustomization.yaml': 'resources: [cm.yaml]\nreplacements:\n  - source: {kind: ConfigMap, name: cfg}\n    targets:\n      - select: {kind: ConfigMap}\n        fieldPaths: [data.nope]\n',
      'app/cm.yaml': CM,
    });
    expect(missing.message).toMatch(/unable to find field 'data.nope'/);
    expect(missing.hint).toMatch(/create/);
  });

  it('a generator merging into a ConfigMap no base generates', () => {
    const e = refusal({ 'app/kustomization.yaml': 'configMapGenerator:\n  - name: c\n    behavior: merge\n    literals: [a=b]\n' });
    expect([e.pointer, e.line]).toEqual(['/configMapGenerator/0', 2]);
    expect(e.hint).toMatch(/behavior: create/);
  });

  it('a Component listed under resources, and a Kustomization under components', () => {
    const comp = { 'app/comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\n', 'app/comp/cm.yaml': CM };
    const asResource = refusal({ 'app/ov/kustomization.yaml': 'resources:\n  - ../comp\n', ...comp }, 'app/ov');
    expect(asResource.pointer).toBe('/resources/0');
    expect(asResource.message).toMatch(/is a Component; list it under components/);
    const asComponent = refusal({ 'app/ov/kustomization.yaml': 'components:\n  - ../base\n', 'app/base/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/base/cm.yaml': CM }, 'app/ov');
    expect(asComponent.pointer).toBe('/components/0');
    expect(asComponent.hint).toMatch(/kind: Component/);
  });

  it('a resource without kind or name, at its line', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n' });
    expect(e.file).toBe('app/cm.yaml');
    expect(e.message).toMatch(/metadata.name/);
  });

  it('two kustomization files in one directory', () => {
    const e = refusal({ 'app/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/kustomization.yml': 'resources: [cm.yaml]\n', 'app/cm.yaml': CM });
    expect(e.message).toMatch(/several kustomization files/);
  });
});
