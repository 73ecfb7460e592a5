/**
 * Deterministic YAML for rendered manifests: fixed key order (apiVersion, kind, metadata, then
 * by code unit), no anchors, no line folding, YAML 1.1 booleans quoted (js-yaml does this, and
 * Kubernetes' parser needs it).
 */
import yaml from 'js-yaml';

const FIRST_KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace'];
const rank = (k: string) => {
  const i = FIRST_KEYS.indexOf(k);
  return i < 0 ? FIRST_KEYS.length : i;
};

export function compareKeys(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function toYaml(value: unknown): string {
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: compareKeys, quotingType: "'", noCompatMode: false });
}
