/**
 * Who owns each namespace an environment's apps deploy to. gitops-bridge owns an app's namespace
 * unless the app says otherwise: it renders the Namespace with Pod Security `restricted`, a
 * ResourceQuota, a LimitRange and a default-deny NetworkPolicy for it (rendered/<env>/namespaces/).
 * Applied to a namespace the cluster or another tool owns (kube-system, Argo CD's, a hub addon's),
 * that breaks what runs there: such a namespace is refused unless the app says, explicitly, that
 * it is not gitops-bridge's (a spec app's `namespace: {name, managed: false}`, a Kustomize app's
 * kustomization annotation `gitops-bridge.dev/namespace-managed: "false"`). Apps sharing a
 * namespace must agree. Pure.
 */
import type { ErrorSink } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { HUB_ADDON_ACCESS } from './hub-addon-access.js';
import type { Environment } from './types.gen.js';

/** Namespaces every Kubernetes cluster has, which its own components (or nothing of an app's) live in. */
export const CLUSTER_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** One app of an environment, as this check sees it. */
export interface NamespaceClaim {
  app: string;
  namespace: string;
  managed: boolean;
  /** Where the app sets its namespace (or, when it defaults to the app's name, the app's file). */
  site(): { file: string; pointer?: string; line?: number };
}

/** The namespaces of an environment gitops-bridge must not take over, each with who owns it. */
export function foreignNamespaces(env: Environment, outputs: Record<string, string>, argocdNamespace: string): Map<string, string> {
  const out = new Map<string, string>(CLUSTER_NAMESPACES.map((ns) => [ns, "the cluster's own"]));
  out.set(argocdNamespace, "Argo CD's");
  // A hub addon also rendered here is an error of its own (load/specs.ts); its bridge keys are the rendered addon's.
  const rendered = new Set((env.spec.addons ?? []).map((a) => a.replace(/-/g, '_')));
  for (const addon of env.spec.hubAddons ?? []) {
    if (rendered.has(addon)) continue;
    const ns = outputs[`${addon}_namespace`] ?? HUB_ADDON_ACCESS[addon]?.namespace;
    if (ns !== undefined && !out.has(ns)) out.set(ns, `the hub addon ${addon}'s`);
  }
  return out;
}

/** Refuses (into `errors`) an app that would take over a foreign namespace, and apps of one namespace that disagree on who owns it. */
export function checkNamespaceOwners(claims: readonly NamespaceClaim[], foreign: ReadonlyMap<string, string>, errors: ErrorSink): void {
  const byNamespace = new Map<string, NamespaceClaim[]>();
  for (const claim of claims) {
    byNamespace.set(claim.namespace, [...(byNamespace.get(claim.namespace) ?? []), claim]);
    const owner = foreign.get(claim.namespace);
    if (!claim.managed || owner === undefined) continue;
    errors.add({
      code: 'invalid-name',
      message: `app "${claim.app}" deploys into namespace "${claim.namespace}", ${owner}: gitops-bridge would render a Namespace with Pod Security "restricted", a ResourceQuota, a LimitRange and a default-deny NetworkPolicy for it, and break what runs there`,
      ...claim.site(),
      hint: `give the app a namespace of its own; if it must run in "${claim.namespace}", say so: namespace: {name: ${claim.namespace}, managed: false} in a spec app, the annotation gitops-bridge.dev/namespace-managed: "false" on a Kustomize app's kustomization (then nothing is rendered for the namespace itself)`,
    });
  }
  for (const [namespace, list] of [...byNamespace].sort(([a], [b]) => compareStrings(a, b))) {
    const first = list[0]!;
    const other = list.find((c) => c.managed !== first.managed);
    if (!other) continue;
    const [owned, notOwned] = first.managed ? [first, other] : [other, first];
    errors.add({
      code: 'invalid-name',
      message: `apps "${owned.app}" (${owned.site().file}) and "${notOwned.app}" (${notOwned.site().file}) share namespace "${namespace}", but only "${notOwned.app}" says gitops-bridge does not own it`,
      ...owned.site(),
      hint: `every app in a namespace says the same: namespace: {name: ${namespace}, managed: false} in each (the annotation gitops-bridge.dev/namespace-managed: "false" for a Kustomize app), or none does`,
    });
  }
}
