/**
 * rendered/argocd/: everything an Argo CD hub needs to deploy the `rendered` branch, made from
 * manifests/argocd.yaml, the environments with their bridge snapshots, and the units rendered
 * for them. Per environment an ApplicationSet (one Application per `<env>/<dir>`), an
 * AppProject and a cluster Secret; once, the bootstrap Application that applies argocd/.
 * Adding an environment adds its three objects with no other edit. With `clusterRegistration:
 * pulumi` the cluster Secrets are left out: the hub's Pulumi stack creates them from
 * `clusterSecrets` below, the same function's output. Pure.
 */
import type { KubeObject } from '../charts/object.js';
import { ErrorSink } from '../core/errors.js';
import type { Fleet } from '../load/fleet.js';
import { applicationName, applicationSet } from './applicationsets.js';
import { appProject } from './appprojects.js';
import { bootstrapApplication } from './bootstrap.js';
import { clusterSecret } from './cluster-secrets.js';
import { planEnvironment, type EnvironmentPlan, type RenderedUnit } from './plan.js';
import { promoterObjects } from './promoter.js';
import { activeBranch, argoCdSettings, BOOTSTRAP_APP } from './settings.js';
import { withSyncWave } from './sync-waves.js';

export { ARGOCD_UNIT } from './settings.js';
export type { RenderedUnit } from './plan.js';
export { withSyncWave } from './sync-waves.js';
export { argoCdSettings, type ArgoCdSettings } from './settings.js';
export { bootstrapApplication } from './bootstrap.js';

/** The hub's objects, or nothing when the project has no manifests/argocd.yaml. */
export function argocdObjects(fleet: Fleet, units: RenderedUnit[]): KubeObject[] {
  if (!fleet.argocd) return [];
  const settings = argoCdSettings(fleet.argocd);
  const errors = new ErrorSink();
  const plans: EnvironmentPlan[] = [];
  for (const env of fleet.environments) {
    if (env.name === 'default') {
      errors.add({
        code: 'invalid-name',
        message: 'an environment named "default" would take the name of Argo CD\'s built-in AppProject',
        file: env.file,
        hint: 'rename the environment (file, metadata.name and Pulumi stack)',
      });
      continue;
    }
    const plan = errors.guard(() => planEnvironment(env, units.filter((u) => u.environment === env.name), settings));
    if (plan) plans.push(plan);
  }
  checkUnique(errors, plans, 'cluster name (aws_cluster_name)', (p) => p.clusterName);
  checkUnique(errors, plans, settings.hubType === 'eks-capability' ? 'cluster ARN' : 'cluster endpoint (cluster_endpoint)', (p) => p.server);

  // Hub addons are installed by ApplicationSets that read the addons_repo_* annotations.
  const withHubAddons = fleet.environments.find((env) => (env.spec.hubAddons ?? []).length > 0);
  if (withHubAddons && !settings.addonsRepo) {
    errors.add({
      code: 'unknown-reference',
      message: `environment "${withHubAddons.name}" has hub addons, but ${settings.file} does not say where the hub's addon ApplicationSets live: their templates would read <no value> for addons_repo_url`,
      file: settings.file,
      pointer: '/spec',
      hint: 'add spec.addonsRepo: { url, basepath, path, revision } (the Terraform gitops-bridge\'s gitops_addons_* values)',
    });
  }

  // With environment branches, environment/<env>-next is <env>'s proposed branch: no environment may have it as its active one.
  if (settings.layout === 'environment-branches') {
    const names = new Set(fleet.environments.map((e) => e.name));
    for (const env of fleet.environments) {
      if (!env.name.endsWith('-next') || !names.has(env.name.slice(0, -'-next'.length))) continue;
      errors.add({
        code: 'invalid-name',
        message: `environment "${env.name}" would take the branch ${activeBranch(env.name)}, which is environment "${env.name.slice(0, -5)}"'s proposed branch with layout: environment-branches`,
        file: env.file,
        hint: 'rename the environment (GitOps Promoter fixes the -next suffix of proposed branches)',
      });
    }
  }

  // Every Application lives in Argo CD's namespace: generated names must not collide.
  const owners = new Map<string, string>([[BOOTSTRAP_APP, 'the bootstrap Application']]);
  for (const plan of plans) {
    for (const dir of plan.destinations.keys()) {
      const name = applicationName(plan.env.name, dir);
      const other = owners.get(name);
      if (other) {
        errors.add({
          code: 'file-collision',
          message: `rendered/${plan.env.name}/${dir} and ${other} would both be the Argo CD Application "${name}"`,
          file: plan.env.file,
          hint: 'Applications are named <env>-<dir>; rename the app or the environment',
        });
      } else owners.set(name, `rendered/${plan.env.name}/${dir}`);
    }
  }
  errors.throwIfAny();

  const promoter = errors.guard(() => promoterObjects(settings, plans.map((p) => p.env))) ?? [];
  errors.throwIfAny();

  return [
    bootstrapApplication(settings),
    ...promoter,
    ...plans.flatMap((plan) => [
      appProject(plan, settings),
      ...(settings.clusterRegistration === 'rendered' ? [clusterSecret(plan, settings)] : []),
      applicationSet(plan, settings),
    ]),
  ];
}

/**
 * Every environment's cluster Secret as a render writes it in `rendered` mode (sync wave
 * included), whatever the mode: what the hub's Pulumi stack creates in `pulumi` mode. A cluster
 * Secret reads only the environment and its snapshot, so no rendered unit is needed.
 */
export function clusterSecrets(fleet: Fleet): KubeObject[] {
  if (!fleet.argocd) return [];
  const settings = argoCdSettings(fleet.argocd);
  const errors = new ErrorSink();
  const secrets: KubeObject[] = [];
  for (const env of fleet.environments) {
    const secret = errors.guard(() => withSyncWave(clusterSecret(planEnvironment(env, [], settings), settings)));
    if (secret) secrets.push(secret);
  }
  errors.throwIfAny();
  return secrets;
}

function checkUnique(errors: ErrorSink, plans: EnvironmentPlan[], what: string, key: (p: EnvironmentPlan) => string): void {
  const seen = new Map<string, EnvironmentPlan>();
  for (const plan of plans) {
    const other = seen.get(key(plan));
    if (!other) {
      seen.set(key(plan), plan);
      continue;
    }
    errors.add({
      code: 'render',
      message: `environments "${other.env.name}" and "${plan.env.name}" have the same ${what} "${key(plan)}": Argo CD keeps one cluster per name and endpoint`,
      file: plan.env.snapshotFile,
      hint: 'one environment is one cluster; check the snapshot belongs to this environment',
    });
  }
}
