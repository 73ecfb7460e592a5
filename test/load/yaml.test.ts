import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { parseYaml } from '../../generators/load/yaml.js';

const doc = `# comment
apiVersion: v1
spec:
  ports:
    - name: http
      containerPort: 80
    - name: metrics
      containerPort: 9090
  labels: { a: "1", b: "2" }
`;

describe('parseYaml', () => {
  it('maps JSON pointers to the lines they came from', () => {
    const d = parseYaml(doc, 'f.yaml');
    expect(d.lineOf('/apiVersion')).toBe(2);
    expect(d.lineOf('/spec')).toBe(3);
    expect(d.lineOf('/spec/ports/0')).toBe(5);
    expect(d.lineOf('/spec/ports/1/containerPort')).toBe(8);
    expect(d.lineOf('/spec/labels/b')).toBe(9);
    // a pointer to something absent falls back to the nearest ancestor
    expect(d.lineOf('/spec/ports/1/missing')).toBe(7);
  });

  it('keeps YAML 1.1 look-alikes as strings under the core schema', () => {
    const d = parseYaml('a: yes\nb: "on"\nc: 010\n', 'f.yaml');
    expect(d.data).toEqual({ a: 'yes', b: 'on', c: 10 });
  });

  it('refuses duplicate keys with the line', () => {
    expect(() => parseYaml('a: 1\nb: 2\na: 3\n', 'f.yaml')).toThrowError(/duplicate key/);
    try {
      parseYaml('a: 1\nb: 2\na: 3\n', 'f.yaml');
    } catch (e) {
      expect((e as BridgeError).line).toBe(3);
      expect((e as BridgeError).code).toBe('yaml-duplicate-key');
    }
  });

  it('refuses aliases to collections, but not plain repeated values', () => {
    expect(() => parseYaml('a: &x [1, 2]\nb: *x\n', 'f.yaml')).toThrowError(/anchors and aliases/);
    expect(parseYaml('a: [1, 2]\nb: [1, 2]\n', 'f.yaml').data).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('refuses custom tags', () => {
    expect(() => parseYaml('a: !!js/function "x"\n', 'f.yaml')).toThrowError(BridgeError);
  });
});
