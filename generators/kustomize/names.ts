/**
 * namePrefix / nameSuffix: prepend or append to metadata.name of every object except
 * CustomResourceDefinitions, APIServices and Namespaces (Kustomize's exceptions), remembering the
 * previous name so name references can follow; and the content-hash suffix of generated objects.
 */
import { gvkSelected, type Resource } from './resource.js';
import { configMapHash } from './hash.js';

const SKIP = [{ kind: 'CustomResourceDefinition' }, { group: 'apiregistration.k8s.io', kind: 'APIService' }, { kind: 'Namespace' }];

function skipped(r: Resource): boolean {
  const org = r.orgId();
  return SKIP.some((s) => gvkSelected(org, s));
}

export function applyPrefix(resources: Resource[], prefix: string): void {
  for (const r of resources) {
    if (skipped(r)) continue;
    r.prefixes.push(prefix);
    r.storePreviousId();
    r.setName(prefix + r.name);
  }
}

export function applySuffix(resources: Resource[], suffix: string): void {
  for (const r of resources) {
    if (skipped(r)) continue;
    r.suffixes.push(suffix);
    r.storePreviousId();
    r.setName(r.name + suffix);
  }
}

/** Appends `-<hash>` to every generated object that wants one (done once, on the whole build). */
export function applyHashSuffixes(resources: Resource[]): void {
  for (const r of resources) {
    if (!r.needsHash) continue;
    const h = configMapHash(r.obj);
    r.storePreviousId();
    r.setName(`${r.name}-${h}`);
  }
}
