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

/** name -> [files (under app/), the file the error must name, its pointer]. */
const CASES: Record<string, [Record<string, string>, string, string]> = {
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
      expect(b.line, 'line').toBeGreaterThan(0);
      expect(b.hint, 'hint').toMatch(/\w{3}/);
      expect(`${b.message} ${b.hint}`).not.toMatch(/undefined|\[object Object\]/);
    });
  }
});
