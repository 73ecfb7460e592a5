/**
 * The quality of kustomizeBuild's errors: every bad input comes out as a BridgeError (never a raw
 * Error from inside the engine) that names the file, the JSON pointer in it, the line, and a hint
 * saying what to do, with no `undefined` leaking into the text. One row per kind of mistake.
 */
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { kustomizeBuild } from '../../generators/kustomize/build.js';

const D = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {a: b}}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {containers: [{name: c, image: x}]}
`;

/** name -> [files (under app/), the file the error must name, its pointer (undefined: the object's place in its file is not kept)]. */
const CASES: Record<string, [Record<string, string>, string, string | undefined]> = {
  'a resource that is not a mapping': [{ 'kustomization.yaml': 'resources: [r.yaml]\n', 'r.yaml': '- a\n- b\n' }, 'app/r.yaml', ''],
  'a List whose items are not a list': [{ 'kustomization.yaml': 'resources: [r.yaml]\n', 'r.yaml': 'apiVersion: v1\nkind: List\nitems: 3\n' }, 'app/r.yaml', '/items'],
  'a Component listed under resources': [
    { 'kustomization.yaml': 'resources: [c]\n', 'c/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: x-\n' },
    'app/kustomization.yaml',
    '/resources/0',
  ],
  'commonLabels into labels that are not a mapping': [
    { 'kustomization.yaml': 'resources: [r.yaml]\ncommonLabels: {x: y}\n', 'r.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: [1]}\n' },
    'app/kustomization.yaml',
    '/commonLabels',
  ],
  'a literal without =': [{ 'kustomization.yaml': 'configMapGenerator: [{name: c, literals: [abc]}]\n' }, 'app/kustomization.yaml', '/configMapGenerator/0/literals/0'],
  'a generator key given twice': [{ 'kustomization.yaml': 'configMapGenerator: [{name: c, literals: [a=1, a=2]}]\n' }, 'app/kustomization.yaml', '/configMapGenerator/0/literals/1'],
  'a binary generator file': [{ 'kustomization.yaml': 'configMapGenerator: [{name: c, files: [logo.png]}]\n', 'logo.png': 'PNG\uFFFD\uFFFD' }, 'app/kustomization.yaml', '/configMapGenerator/0/files/0'],
  'a directory as a generator file': [{ 'kustomization.yaml': 'configMapGenerator: [{name: c, files: [sub]}]\n', 'sub/a.txt': 'x' }, 'app/kustomization.yaml', '/configMapGenerator/0/files/0'],
  'an unknown kind': [{ 'kustomization.yaml': 'kind: Foo\nresources: []\n' }, 'app/kustomization.yaml', '/kind'],
  'a number for namePrefix': [{ 'kustomization.yaml': 'namePrefix: 3\nresources: [r.yaml]\n', 'r.yaml': D }, 'app/kustomization.yaml', '/namePrefix'],
  'an unknown sort order': [{ 'kustomization.yaml': 'resources: [r.yaml]\nsortOptions: {order: x}\n', 'r.yaml': D }, 'app/kustomization.yaml', '/sortOptions/order'],
  'an unknown JSON 6902 op': [
    { 'kustomization.yaml': 'resources: [r.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: "[{op: frob, path: /a}]"\n', 'r.yaml': D },
    'app/kustomization.yaml',
    '/patches/0/patch',
  ],
  'a JSON 6902 operation that fails, in a patch file': [
    { 'kustomization.yaml': 'resources: [r.yaml]\npatches:\n- target: {kind: Deployment}\n  path: p.yaml\n', 'p.yaml': '- op: add\n  path: /spec/replicas\n  value: 2\n- op: remove\n  path: /spec/nothing\n', 'r.yaml': D },
    'app/p.yaml',
    '/1',
  ],
  'an empty patch file': [{ 'kustomization.yaml': 'resources: [r.yaml]\npatches:\n- path: p.yaml\n', 'p.yaml': '# nothing\n', 'r.yaml': D }, 'app/kustomization.yaml', '/patches/0/path'],
  'a bad label selector in a patch target': [
    { 'kustomization.yaml': 'resources: [r.yaml]\npatches:\n- target: {labelSelector: "a in b"}\n  patch: "[{op: add, path: /x, value: 1}]"\n', 'r.yaml': D },
    'app/kustomization.yaml',
    '/patches/0/target',
  ],
  'an unknown $patch directive': [
    { 'kustomization.yaml': 'resources: [r.yaml]\npatches:\n- path: p.yaml\n', 'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - $patch: frob\n        name: c\n', 'r.yaml': D },
    'app/p.yaml',
    '/spec/template/spec/containers/0/$patch',
  ],
  'a replacement without targets': [
    { 'kustomization.yaml': 'resources: [r.yaml]\nreplacements:\n- source: {kind: Deployment, name: d}\n  targets: []\n', 'r.yaml': D },
    'app/kustomization.yaml',
    '/replacements/0/targets',
  ],
  'a replacement source field that is missing': [
    { 'kustomization.yaml': 'resources: [r.yaml]\nreplacements:\n- source: {kind: Deployment, name: d, fieldPath: spec.nothing}\n  targets: [{select: {kind: Deployment}, fieldPaths: [metadata.name]}]\n', 'r.yaml': D },
    'app/kustomization.yaml',
    '/replacements/0',
  ],
  'a RoleBinding subject that is neither a name nor a mapping': [
    {
      'kustomization.yaml': 'resources: [r.yaml]\n',
      'r.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [3]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n',
    },
    'app/r.yaml',
    undefined,
  ],
  'a replacement reject with a bad label selector': [
    {
      'kustomization.yaml': 'resources: [r.yaml]\nreplacements:\n- source: {kind: Deployment, name: d, fieldPath: metadata.name}\n  targets:\n  - select: {kind: Deployment}\n    reject: [{labelSelector: "a in b"}]\n    fieldPaths: [metadata.annotations.x]\n',
      'r.yaml': D,
    },
    'app/kustomization.yaml',
    '/replacements/0',
  ],
};

function failure(files: Record<string, string>): unknown {
  try {
    kustomizeBuild({ files: new Map(Object.entries(files).map(([path, text]) => [`app/${path}`, text])), dir: 'app', root: 'app' });
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('kustomizeBuild errors', () => {
  for (const [name, [files, file, pointer]] of Object.entries(CASES)) {
    it(`${name}: a BridgeError with file, pointer, line and hint`, () => {
      const e = failure(files);
      expect(e, 'no error').toBeInstanceOf(BridgeError);
      const b = e as BridgeError;
      expect({ code: b.code, file: b.file, pointer: b.pointer }).toEqual({ code: 'kustomize', file, pointer });
      if (pointer !== undefined) expect(b.line, 'line').toBeGreaterThan(0);
      expect(b.hint, 'hint').toMatch(/\w{3}/);
      expect(`${b.message} ${b.hint}`).not.toMatch(/undefined|\[object Object\]/);
    });
  }
});
