/**
 * EKS Pod Identity for the workloads whose spec says `serviceAccount.aws.identity: pod-identity`:
 * one PodIdentityAssociation per workload, binding its role (created by IrsaRoles, with the
 * pods.eks.amazonaws.com trust) to exactly the cluster, namespace and ServiceAccount the spec
 * renders, and the `eks-pod-identity-agent` EKS add-on, which hands the pods their credentials.
 *
 * The add-on is created only when some workload of the stack uses Pod Identity: a cluster whose
 * workloads all use IRSA runs no agent DaemonSet it does not need. Its version is the default
 * EKS publishes for the cluster's Kubernetes version (read with getAddonVersion, so a preview
 * shows it and a Kubernetes upgrade moves it along), not whatever happened to be newest.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AwsWorkload } from '../../generators/load/aws-access.js';

export const POD_IDENTITY_AGENT_ADDON = 'eks-pod-identity-agent';

export interface PodIdentityArgs {
  clusterName: pulumi.Input<string>;
  /** The cluster's Kubernetes version, e.g. 1.33: picks the agent's default version. */
  kubernetesVersion: pulumi.Input<string>;
  /** Every workload of the stack with AWS access; those with identity pod-identity are associated. */
  workloads: AwsWorkload[];
  /** Roles by workload name (IrsaRoles.roles). */
  roles: ReadonlyMap<string, aws.iam.Role>;
}

/** The workloads that use EKS Pod Identity, in the order given. */
export function podIdentityWorkloads(workloads: readonly AwsWorkload[]): AwsWorkload[] {
  return workloads.filter((w) => w.identity === 'pod-identity');
}

export class PodIdentity extends pulumi.ComponentResource {
  /** The agent add-on; undefined when no workload uses Pod Identity. */
  readonly agent?: aws.eks.Addon;
  /** Associations by workload name. */
  readonly associations: Map<string, aws.eks.PodIdentityAssociation> = new Map();

  constructor(name: string, args: PodIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:PodIdentity', name, {}, opts);
    const workloads = podIdentityWorkloads(args.workloads);
    if (workloads.length > 0) {
      const version = aws.eks.getAddonVersionOutput({ addonName: POD_IDENTITY_AGENT_ADDON, kubernetesVersion: args.kubernetesVersion }, { parent: this });
      this.agent = new aws.eks.Addon(
        `${name}-agent`,
        {
          clusterName: args.clusterName,
          addonName: POD_IDENTITY_AGENT_ADDON,
          addonVersion: version.version,
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'OVERWRITE',
        },
        { parent: this },
      );
    }
    for (const w of workloads) {
      const role = args.roles.get(w.name);
      if (!role) throw new Error(`${w.files[0]}: no role was created for "${w.name}", so its Pod Identity association has none to name`);
      this.associations.set(
        w.name,
        new aws.eks.PodIdentityAssociation(
          `${name}-${w.name}`,
          {
            clusterName: args.clusterName,
            namespace: w.namespace,
            serviceAccount: w.serviceAccount,
            roleArn: role.arn,
            // The role's trust conditions read the session tags: they must stay on.
            disableSessionTags: false,
            tags: { team: w.team, 'gitops-bridge/workload': w.name },
          },
          // Pods started before the agent runs get no credentials: the agent comes first.
          { parent: this, dependsOn: this.agent ? [this.agent] : [] },
        ),
      );
    }
    this.registerOutputs({});
  }
}
