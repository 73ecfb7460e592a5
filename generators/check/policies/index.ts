/**
 * The policy table. Each policy has an id (used in environment spec.policies and in
 * exemptions), a description, and a default level an environment may override. The ids are
 * also listed in schemas/environment.schema.json and schemas/exemptions.schema.json, so editors
 * complete them and typos are caught at load time; a test keeps the three in step.
 */
import { containerResources } from './container-resources.js';
import { imageImmutable } from './image-immutable.js';
import { noCredentials } from './no-credentials.js';
import { noLoadBalancer } from './no-load-balancer.js';
import { noPlaintextSecret } from './no-plaintext-secret.js';
import { noPrivileged } from './no-privileged.js';
import { pdbInProduction } from './pdb-in-production.js';
import { probes } from './probes.js';
import { readOnlyRootFilesystem } from './read-only-root-filesystem.js';
import { referencesResolve } from './references-resolve.js';
import { runAsNonRoot } from './run-as-non-root.js';
import { standardLabels } from './standard-labels.js';
import type { Policy } from './types.js';

export const POLICIES: readonly Policy[] = [
  imageImmutable,
  containerResources,
  standardLabels,
  noPrivileged,
  runAsNonRoot,
  readOnlyRootFilesystem,
  noPlaintextSecret,
  noCredentials,
  pdbInProduction,
  probes,
  noLoadBalancer,
  referencesResolve,
];

export const POLICY_IDS: readonly string[] = POLICIES.map((p) => p.id);

export type { Finding, Policy, PolicyContext, PolicyLevel, PolicySetting } from './types.js';
