/**
 * Hub addons: addons an environment asks the hub's own gitops-bridge addon ApplicationSets to
 * install (spec.hubAddons), against the addons this project renders (spec.addons). On the
 * cluster Secret a hub addon is the label `enable_<addon>: "true"`, which those ApplicationSets
 * select on, plus the metadata annotations their templates read. Pure.
 *
 * The metadata names are the flattened `gitops_metadata` output of
 * aws-ia/terraform-aws-eks-blueprints-addons (`<addon>_<key>`: iam_role_arn, namespace,
 * service_account, and a few addon-specific keys), which the gitops-bridge EKS examples merge
 * into the cluster Secret's annotations; `external_dns_domain_filters` is the key the
 * gitops-bridge examples add for external-dns. These are read from public sources and written
 * here from that contract, not copied.
 *
 * Every metadata key a hub addon needs must come from the bridge (the Pulumi stack exports it);
 * a missing one is an error at render time, because the upstream templates do not use
 * `missingkey=error` and would install the addon with `<no value>` as its role or namespace.
 * The one exception is derived from the environment itself: external-dns' domain filter is the
 * environment's domain unless the bridge overrides it.
 */
import { BridgeError } from '../core/errors.js';
import type { EnvironmentInstance } from '../load/fleet.js';

/** Metadata keys (after `<addon>_`) an upstream addon ApplicationSet reads, for addons with an AWS role. */
const IRSA_KEYS = ['iam_role_arn', 'namespace', 'service_account'] as const;

/**
 * Per upstream addon, the metadata keys (without the `<addon>_` prefix) its ApplicationSet reads
 * from the cluster Secret's annotations. Addons absent here read none (the OSS addons: their
 * ApplicationSets read only the addons_repo_* annotations and the cluster's labels).
 */
export const HUB_ADDON_METADATA: Readonly<Record<string, readonly string[]>> = {
  aws_cloudwatch_metrics: IRSA_KEYS,
  aws_efs_csi_driver: IRSA_KEYS,
  aws_for_fluentbit: [...IRSA_KEYS, 'log_group_name'],
  aws_fsx_csi_driver: IRSA_KEYS,
  aws_gateway_api_controller: IRSA_KEYS,
  aws_load_balancer_controller: IRSA_KEYS,
  aws_node_termination_handler: [...IRSA_KEYS, 'sqs_queue_url'],
  aws_privateca_issuer: IRSA_KEYS,
  cert_manager: IRSA_KEYS,
  cluster_autoscaler: IRSA_KEYS,
  external_dns: [...IRSA_KEYS, 'domain_filters'],
  external_secrets: IRSA_KEYS,
  karpenter: [...IRSA_KEYS, 'sqs_queue_name', 'node_iam_role_name'],
  velero: [...IRSA_KEYS, 'backup_s3_bucket_name', 'backup_s3_bucket_prefix'],
};

/** The upstream name of an addon: `aws-load-balancer-controller` -> `aws_load_balancer_controller`. */
export function upstreamAddonName(addon: string): string {
  return addon.replace(/-/g, '_');
}

/** The label that makes the hub's `<addon>` ApplicationSet install the addon into the cluster. */
export function addonLabel(addon: string): string {
  return `enable_${upstreamAddonName(addon)}`;
}

/** Metadata derived from the environment where the bridge has none. */
function derived(env: EnvironmentInstance, key: string): string | undefined {
  // A YAML flow sequence, as the gitops-bridge external-dns example writes it: the template
  // puts it after `domainFilters: ` in the chart's values.
  if (key === 'external_dns_domain_filters') return `[${env.spec.domain}]`;
  return undefined;
}

/**
 * The labels and annotations the environment's hub addons add to its cluster Secret: the
 * `enable_<addon>` labels, and every metadata key their ApplicationSets read. Throws, naming
 * the snapshot and the hub addon, when the bridge lacks a key.
 */
export function hubAddonMetadata(env: EnvironmentInstance): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  (env.spec.hubAddons ?? []).forEach((addon, i) => {
    labels[addonLabel(addon)] = 'true';
    for (const suffix of HUB_ADDON_METADATA[addon] ?? []) {
      const key = `${addon}_${suffix}`;
      const value = env.outputs[key] ?? derived(env, key);
      if (value === undefined) {
        throw new BridgeError({
          code: 'unknown-bridge-key',
          message: `hub addon "${addon}" of environment "${env.name}" needs bridge key "${key}" (its ApplicationSet reads the annotation), which ${env.snapshotFile} does not have`,
          file: env.file,
          pointer: `/spec/hubAddons/${i}`,
          hint: `export "${key}" from the Pulumi stack (the eks-blueprints-addons gitops_metadata name) and refresh the snapshot with \`npm run infra:outputs -- --stack ${env.name}\`, or remove "${addon}" from spec.hubAddons`,
        });
      }
      annotations[key] = value;
    }
  });
  return { labels, annotations };
}
