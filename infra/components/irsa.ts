/**
 * IAM roles for service accounts: one role per workload (enabled addon or app) whose spec in
 * manifests/ has `serviceAccount.aws`, carrying the spec's statements as its inline policy,
 * `${bridge.<key>}` resolved from the stack's own outputs (bucket ARN, queue ARN, zone id...).
 *
 * The trust follows `serviceAccount.aws.identity`. IRSA (the default): the cluster's OIDC
 * provider for exactly one ServiceAccount, `system:serviceaccount:<namespace>:<name>`, with the
 * STS audience. EKS Pod Identity: the pods.eks.amazonaws.com service only, for the same cluster,
 * namespace and ServiceAccount through its session tags; the PodIdentity component adds the
 * association and the agent. Both kinds are the same resource under the same name here, so
 * switching a workload between them updates the role's trust in place: the role and its ARN
 * (the bridge key every manifest reads) stay, nothing is replaced.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  irsaTrustPolicy,
  podIdentityTrustPolicy,
  policyDocument,
  resolveStatements,
  unknownBridgeReference,
  type AwsWorkload,
} from '../../generators/load/aws-access.js';

export interface IrsaRolesArgs {
  /** The cluster's name (a Pod Identity role trusts its pods only); role names are `<clusterName>-<workload>`. */
  clusterName: string;
  oidcProviderArn: pulumi.Input<string>;
  /** The issuer without https://. */
  oidcProviderUrl: pulumi.Input<string>;
  workloads: AwsWorkload[];
  /** Values `${bridge.<key>}` may reference in policy statements. */
  bridge: Record<string, pulumi.Input<string>>;
}

/** IAM role names are at most 64 characters. */
export const MAX_ROLE_NAME = 64;

export class IrsaRoles extends pulumi.ComponentResource {
  /** Roles by workload name. */
  readonly roles: Map<string, aws.iam.Role> = new Map();
  readonly policies: Map<string, aws.iam.RolePolicy> = new Map();

  constructor(name: string, args: IrsaRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:IrsaRoles', name, {}, opts);
    const known = Object.keys(args.bridge);

    for (const w of args.workloads) {
      // Unknown references fail the preview here, naming the spec file, not at apply time.
      const missing = w.bridgeReferences.find((k) => !(k in args.bridge));
      if (missing !== undefined) throw unknownBridgeReference(w, missing, known);
      const roleName = `${args.clusterName}-${w.name}`;
      if (roleName.length > MAX_ROLE_NAME) {
        throw new Error(`IAM role name "${roleName}" of ${w.files[0]} is longer than ${MAX_ROLE_NAME} characters; shorten the app name`);
      }

      const podIdentity = w.identity === 'pod-identity';
      const role = new aws.iam.Role(
        `${name}-${w.name}`,
        {
          name: roleName,
          description: `${podIdentity ? 'EKS Pod Identity' : 'IRSA'} role of ${w.source} ${w.name}: ServiceAccount ${w.namespace}/${w.serviceAccount}`,
          assumeRolePolicy: podIdentity
            ? JSON.stringify(podIdentityTrustPolicy(args.clusterName, w.namespace, w.serviceAccount))
            : pulumi
                .all([args.oidcProviderArn, args.oidcProviderUrl])
                .apply(([arn, url]) => JSON.stringify(irsaTrustPolicy(arn, url, w.namespace, w.serviceAccount))),
          tags: {
            team: w.team,
            'gitops-bridge/workload': w.name,
            'gitops-bridge/service-account': `${w.namespace}/${w.serviceAccount}`,
          },
        },
        { parent: this },
      );
      this.roles.set(w.name, role);

      if (w.statements.length > 0) {
        const refs: Record<string, pulumi.Input<string>> = {};
        for (const k of w.bridgeReferences) refs[k] = args.bridge[k]!;
        const policy = new aws.iam.RolePolicy(
          `${name}-${w.name}`,
          {
            role: role.name,
            name: w.name,
            policy: pulumi.all(refs).apply((values) => JSON.stringify(policyDocument(resolveStatements(w, values as Record<string, string>)))),
          },
          { parent: this },
        );
        this.policies.set(w.name, policy);
      }
    }
    this.registerOutputs({});
  }
}
