/**
 * One Argo CD cluster Secret per environment, following the gitops-bridge contract, so the
 * upstream addon ApplicationSets (gitops-bridge-argocd-control-plane-template: cluster
 * generators selecting on labels, templates reading annotations) work on it unchanged. Pure.
 * The infra program (Secret-registration mode) builds its Secrets with this same function.
 *
 * The contract, as gitops-bridge-dev/terraform-helm-gitops-bridge main.tf builds the Secret and
 * its EKS examples feed it (labels: cluster_name, environment, the secret-type label and the
 * `cluster.addons` map, which the examples fill with the `enable_*` flags plus
 * kubernetes_version and aws_cluster_name; annotations: cluster_name, environment and the
 * `cluster.metadata` map: eks-blueprints-addons' gitops_metadata, the aws_* keys and the
 * addons/workload repo keys):
 * - labels: `argocd.argoproj.io/secret-type: cluster`, `cluster_name`, `environment`,
 *   `kubernetes_version`, `aws_cluster_name`, and `enable_<addon>: "true"` only for hub addons
 *   (spec.hubAddons). Upstream that label means "the hub installs it": an addon this project
 *   renders (spec.addons) never gets it, nor does `enable_argocd` unless asked for;
 * - annotations: `cluster_name`, `environment`, every bridge key of the environment's snapshot,
 *   `addons_repo_{url,basepath,path,revision}` (when manifests/argocd.yaml has addonsRepo),
 *   `workload_repo_{url,basepath,path,revision}`, and the metadata of each hub addon;
 * - stringData, self-managed hub: `name` (the EKS cluster name, the ApplicationSets'
 *   destination), `server` (cluster_endpoint), `config` with `awsAuthConfig` (Argo CD assumes
 *   `argocd_hub_role_arn` from the snapshot) and the cluster's CA;
 * - stringData, EKS capability hub: `name` and `server` = the EKS cluster ARN, no `config`: the
 *   AWS-managed Argo CD resolves the ARN itself and reaches the cluster through an access entry
 *   for its capability role.
 * Never a token or password: the Secret is committed to git.
 */
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { KubeObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { hubAddonMetadata } from './hub-addons.js';
import type { EnvironmentPlan } from './plan.js';
import { MANAGED_BY_LABELS, type ArgoCdSettings, type RepoRef } from './settings.js';

export { addonLabel } from './hub-addons.js';
export { eksClusterArn } from './plan.js';

/** The bridge key holding the role the hub assumes to reach the environment's cluster. */
export const HUB_ROLE_KEY = 'argocd_hub_role_arn';

export function clusterSecretName(env: string): string {
  return `cluster-${env}`;
}

function repoAnnotations(prefix: 'addons' | 'workload', repo: RepoRef): Record<string, string> {
  return {
    [`${prefix}_repo_url`]: repo.url,
    [`${prefix}_repo_basepath`]: repo.basepath,
    [`${prefix}_repo_path`]: repo.path,
    [`${prefix}_repo_revision`]: repo.revision,
  };
}

/** The labels of the environment's cluster Secret (without the managed-by label). */
export function clusterLabels(plan: EnvironmentPlan): Record<string, string> {
  const env = plan.env;
  return {
    'argocd.argoproj.io/secret-type': 'cluster',
    cluster_name: plan.clusterName,
    environment: env.name,
    kubernetes_version: env.outputs['kubernetes_version']!,
    aws_cluster_name: env.outputs['aws_cluster_name']!,
    ...hubAddonMetadata(env).labels,
  };
}

/** The annotations of the environment's cluster Secret. */
export function clusterAnnotations(plan: EnvironmentPlan, settings: ArgoCdSettings): Record<string, string> {
  const env = plan.env;
  const own: Record<string, string> = {
    cluster_name: plan.clusterName,
    environment: env.name,
    ...(settings.addonsRepo && repoAnnotations('addons', settings.addonsRepo)),
    ...repoAnnotations('workload', settings.workloadRepo),
  };
  // A bridge key of the same name would silently replace what the hub is told: refuse it.
  for (const [key, value] of Object.entries(own)) {
    const bridged = env.outputs[key];
    if (bridged !== undefined && bridged !== value) {
      throw new BridgeError({
        code: 'render',
        message: `bridge key "${key}" of ${env.snapshotFile} ("${bridged}") clashes with the "${key}" annotation the cluster Secret of environment "${env.name}" carries ("${value}")`,
        file: env.snapshotFile,
        pointer: `/${key}`,
        hint: key.includes('_repo_') ? `set the repository in ${settings.file} instead of exporting "${key}" from the Pulumi stack` : `stop exporting "${key}" from the Pulumi stack: the generator sets it`,
      });
    }
  }
  return { ...env.outputs, ...hubAddonMetadata(env).annotations, ...own };
}

function stringData(plan: EnvironmentPlan, settings: ArgoCdSettings): Record<string, string> {
  const env = plan.env;
  if (settings.hubType === 'eks-capability') return { name: plan.clusterName, server: plan.server };
  const roleARN = env.outputs[HUB_ROLE_KEY];
  if (roleARN === undefined) {
    throw new BridgeError({
      code: 'unknown-bridge-key',
      message: `the Argo CD cluster Secret of environment "${env.name}" needs bridge key "${HUB_ROLE_KEY}", which ${env.snapshotFile} does not have`,
      file: env.snapshotFile,
      hint: `export "${HUB_ROLE_KEY}" (the role Argo CD on the hub assumes to reach this cluster) from the Pulumi stack and refresh the snapshot with \`npm run infra:outputs -- --stack ${env.name}\`, or set spec.hubType: eks-capability in ${settings.file} if the hub is the EKS capability`,
    });
  }
  const config = {
    awsAuthConfig: { clusterName: plan.clusterName, roleARN },
    tlsClientConfig: { insecure: false, caData: env.outputs['cluster_certificate_authority_data']! },
  };
  return { name: plan.clusterName, server: plan.server, config: JSON.stringify(config) };
}

export function clusterSecret(plan: EnvironmentPlan, settings: ArgoCdSettings): KubeObject {
  const object: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: clusterSecretName(plan.env.name),
      namespace: settings.namespace,
      labels: { ...MANAGED_BY_LABELS, ...clusterLabels(plan) },
      annotations: clusterAnnotations(plan, settings),
    },
    type: 'Opaque',
    stringData: stringData(plan, settings),
  };
  return object as unknown as KubeObject;
}
