/**
 * One Argo CD cluster Secret per environment, in the gitops-bridge format, so gitops-bridge
 * ApplicationSets (cluster generators selecting on `enable_<addon>` labels and templating
 * from annotations) work on it unchanged. Pure.
 *
 * - labels: `argocd.argoproj.io/secret-type: cluster`, `environment`, `cluster_name`, and
 *   `enable_<addon>: "true"` per addon the environment enables (`-` becomes `_`);
 * - annotations: every bridge key of the environment's snapshot;
 * - stringData: `name` (the EKS cluster name, the ApplicationSets' destination), `server`
 *   (cluster_endpoint) and `config`: `awsAuthConfig` (Argo CD gets an EKS token by assuming
 *   `argocd_hub_role_arn` from the snapshot) and the cluster's CA. Never a token or password:
 *   the Secret is committed to git.
 */
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { KubeObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import type { EnvironmentPlan } from './plan.js';
import { MANAGED_BY_LABELS, type ArgoCdSettings } from './settings.js';

/** The bridge key holding the role the hub assumes to reach the environment's cluster. */
export const HUB_ROLE_KEY = 'argocd_hub_role_arn';

export function clusterSecretName(env: string): string {
  return `cluster-${env}`;
}

export function addonLabel(addon: string): string {
  return `enable_${addon.replace(/-/g, '_')}`;
}

export function clusterSecret(plan: EnvironmentPlan, settings: ArgoCdSettings): KubeObject {
  const env = plan.env;
  const roleARN = env.outputs[HUB_ROLE_KEY];
  if (roleARN === undefined) {
    throw new BridgeError({
      code: 'unknown-bridge-key',
      message: `the Argo CD cluster Secret of environment "${env.name}" needs bridge key "${HUB_ROLE_KEY}", which ${env.snapshotFile} does not have`,
      file: env.snapshotFile,
      hint: `export "${HUB_ROLE_KEY}" (the role Argo CD on the hub assumes to reach this cluster) from the Pulumi stack and refresh the snapshot with \`npm run infra:outputs -- --stack ${env.name}\``,
    });
  }
  const config = {
    awsAuthConfig: { clusterName: plan.clusterName, roleARN },
    tlsClientConfig: { insecure: false, caData: env.outputs['cluster_certificate_authority_data']! },
  };
  const labels: Record<string, string> = {
    ...MANAGED_BY_LABELS,
    'argocd.argoproj.io/secret-type': 'cluster',
    environment: env.name,
    cluster_name: plan.clusterName,
  };
  for (const addon of env.spec.addons ?? []) labels[addonLabel(addon)] = 'true';
  const object: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: clusterSecretName(env.name),
      namespace: settings.namespace,
      labels,
      annotations: { ...env.outputs },
    },
    type: 'Opaque',
    stringData: {
      name: plan.clusterName,
      server: plan.server,
      config: JSON.stringify(config),
    },
  };
  return object as unknown as KubeObject;
}
