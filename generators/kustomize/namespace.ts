/**
 * The `namespace:` transformer: sets metadata.namespace on every namespaced object (cluster-scoped
 * built-in kinds keep none), renames a v1 Namespace object to the namespace, sets the namespace of
 * the few fields Kustomize's table names (APIService service, CRD conversion webhook), and of
 * RoleBinding/ClusterRoleBinding subjects named `default` (the other ServiceAccount subjects follow
 * their ServiceAccount through the name references).
 */
import { NAMESPACE_FIELDS, visitFieldSpec } from './field-specs.js';
import { idEquals, type Resource } from './resource.js';

export class IdConflictError extends Error {
  constructor(
    message: string,
    readonly resource: Resource,
  ) {
    super(message);
  }
}

export function applyNamespace(resources: Resource[], namespace: string): void {
  for (const r of resources) {
    r.storePreviousId();
    const gvk = r.gvk();
    const id = r.curId();
    if (!id.clusterScoped) r.setNamespace(namespace);
    if (r.kind === 'Namespace' && r.apiVersion === 'v1') r.setName(namespace);
    for (const spec of NAMESPACE_FIELDS) {
      visitFieldSpec(r.obj, gvk, spec, 'scalar', (holder, key) => {
        (holder as Record<string | number, unknown>)[key] = namespace;
      });
    }
    if ((r.kind === 'RoleBinding' || r.kind === 'ClusterRoleBinding') && Array.isArray(r.obj.subjects)) {
      for (const s of r.obj.subjects as unknown[]) {
        if (s && typeof s === 'object' && (s as Record<string, unknown>).name === 'default') (s as Record<string, unknown>).namespace = namespace;
      }
    }
    const cur = r.curId();
    if (resources.filter((o) => idEquals(o.curId(), cur)).length !== 1) {
      throw new IdConflictError(`setting the namespace makes two objects ${r.kind} '${r.name}' in namespace '${namespace}'`, r);
    }
  }
}
