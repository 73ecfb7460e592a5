/** What a policy is and what it sees. Policies are pure functions of one rendered object. */
import type { KubeObject } from '../../charts/object.js';
import type { AppInstance, EnvironmentInstance } from '../../load/fleet.js';

export type PolicyLevel = 'mandatory' | 'advisory';
/** A level, or `off`: how an environment may set a policy in spec.policies. */
export type PolicySetting = PolicyLevel | 'off';

export interface PolicyContext {
  /** The environment of the object; undefined for hub units (rendered/argocd/). */
  environment?: Pick<EnvironmentInstance, 'name' | 'spec' | 'file'>;
  /** The app whose unit holds the object; undefined for cluster-metadata, namespaces and hub units. */
  app?: Pick<AppInstance, 'name' | 'namespace'> & { kind?: AppInstance['kind'] };
  /** Rendered objects of the same environment of a kind, in a namespace (cross-object rules: a PDB for a Deployment). */
  siblings(kind: string, namespace: string | undefined): readonly KubeObject[];
  /**
   * The objects of the unit being checked (the app's own). A rule that finds what it looks for
   * here need not call `siblings`: every sibling read ties the unit's findings to other units,
   * which the engine then checks again whenever one of them changes.
   */
  own?: readonly KubeObject[];
}

export interface Finding {
  /** JSON pointer into the rendered object. */
  pointer: string;
  message: string;
  hint?: string;
  /** Where in the app spec this is set (e.g. /spec/resources), to name the spec file and line that produced it. */
  specPointer?: string;
}

export interface Policy {
  id: string;
  description: string;
  level: PolicyLevel;
  check(object: KubeObject, context: PolicyContext): Finding[];
}
