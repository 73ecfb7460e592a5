/**
 * GitOps Promoter objects for the hub (manifests/argocd.yaml `spec.promoter`, with
 * `layout: environment-branches`), rendered into argocd/ beside the ApplicationSets and applied
 * by the bootstrap Application. Pure.
 *
 * - GitRepository `gitops-bridge`: this repository on its SCM, with the ScmProvider the
 *   platform team creates by hand (its Secret holds the token: credentials never reach git);
 * - PromotionStrategy `gitops-bridge`: the environments' active branches `environment/<env>`
 *   in promotion order (promotionOrder below), each with `autoMerge` written out (Promoter's
 *   default is true; here an environment merges its promotions itself only when its spec says
 *   so), every environment waiting for the ArgoCDCommitStatus key;
 * - ArgoCDCommitStatus `gitops-bridge`: selects the Applications the environments'
 *   ApplicationSets generate (they carry the `gitops-bridge.dev/directory` label; the bootstrap
 *   Application does not) and reports whether each environment's are synced to its active
 *   branch's tip and healthy. Promoter groups them by `spec.source.targetRevision`, which is the
 *   environment's active branch.
 * Nothing else is needed on the hub: Promoter's own installation lets its controller read
 * Applications in every namespace, and the bootstrap Application's `default` project deploys to
 * the hub cluster in any namespace. The objects are checked against the schemas declared in
 * schemas/crds/promoter.argoproj.io/ like any custom resource.
 */
import type { KubeObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import type { EnvironmentSpec } from '../load/types.gen.js';
import { activeBranch, DIRECTORY_LABEL, MANAGED_BY_LABELS, type ArgoCdSettings } from './settings.js';

export const PROMOTER_NAME = 'gitops-bridge';
export const PROMOTER_API = 'promoter.argoproj.io/v1alpha1';

const TIER_ORDER: Record<string, number> = { development: 0, staging: 1, production: 2 };

/** What promotion reads of an environment (a fleet's EnvironmentInstance has it). */
export interface PromotionEnv {
  name: string;
  spec: Pick<EnvironmentSpec, 'tier' | 'promotion'>;
}
type Env = PromotionEnv;

/** Environments in promotion order: `spec.promotion.order`, else by tier (development, staging, production); then by name. */
export function promotionOrder<E extends Env>(envs: readonly E[]): E[] {
  const rank = (e: Env) => e.spec.promotion?.order ?? (TIER_ORDER[e.spec.tier] ?? 3) * 100;
  return [...envs].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The GitRepository's provider block: as configured, or {github: {owner, name}} from a github.com repoURL. */
function repositoryBlock(settings: ArgoCdSettings, promoter: NonNullable<ArgoCdSettings['promoter']>): Record<string, unknown> {
  if (promoter.repository) return promoter.repository;
  const m = /^(?:https:\/\/|ssh:\/\/git@|git@)github\.com[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(settings.repoURL);
  if (m) return { github: { owner: m[1], name: m[2] } };
  throw new BridgeError({
    code: 'schema',
    message: `spec.promoter.repository is needed: ${settings.repoURL} is not a github.com repository, so its SCM coordinates cannot be taken from it`,
    file: settings.file,
    pointer: '/spec/promoter',
    hint: 'add spec.promoter.repository as Promoter spells it, e.g. { gitlab: { namespace: group, name: repo, projectId: 123 } }',
  });
}

export function promoterObjects(settings: ArgoCdSettings, envs: readonly Env[]): KubeObject[] {
  const promoter = settings.promoter;
  if (!promoter) return [];
  if (settings.layout !== 'environment-branches') {
    throw new BridgeError({
      code: 'schema',
      message: 'spec.promoter needs layout: environment-branches: GitOps Promoter promotes between a proposed and an active branch per environment',
      file: settings.file,
      pointer: '/spec/promoter',
      hint: 'set spec.layout: environment-branches (see README, Promotion), or remove spec.promoter',
    });
  }
  // All three are named gitops-bridge, in the Promoter namespace, and refer to each other by that name.
  const object = (kind: string, spec: Record<string, unknown>) => ({
    apiVersion: PROMOTER_API,
    kind,
    metadata: { name: PROMOTER_NAME, namespace: promoter.namespace, labels: { ...MANAGED_BY_LABELS } },
    spec,
  });
  return [
    object('GitRepository', { ...repositoryBlock(settings, promoter), scmProviderRef: { kind: promoter.scmProviderRef.kind, name: promoter.scmProviderRef.name } }),
    object('PromotionStrategy', {
      gitRepositoryRef: { name: PROMOTER_NAME },
      activeCommitStatuses: [{ key: promoter.commitStatusKey }],
      environments: promotionOrder(envs).map((e) => ({ branch: activeBranch(e.name), autoMerge: e.spec.promotion?.autoMerge === true })),
    }),
    object('ArgoCDCommitStatus', {
      promotionStrategyRef: { name: PROMOTER_NAME },
      key: promoter.commitStatusKey,
      applicationSelector: { matchExpressions: [{ key: DIRECTORY_LABEL, operator: 'Exists' }], matchLabels: { ...MANAGED_BY_LABELS } },
    }),
  ] as unknown as KubeObject[];
}
