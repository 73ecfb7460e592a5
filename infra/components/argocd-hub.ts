/**
 * The Argo CD hub on this stack's cluster (stack config `hub: true`), built with
 * @pulumi/kubernetes through a provider whose kubeconfig comes from the cluster's own endpoint,
 * CA and name (tokens from `aws eks get-token`, nothing long-lived):
 *
 * - the hub role (argocdHubPrincipalArn): IRSA for exactly Argo CD's application controller and
 *   server ServiceAccounts, allowed only to assume the environments' argocd-hub roles;
 * - Argo CD from its Helm chart at a pinned version, HA (redis-ha, replicas) in production, the
 *   ApplicationSets' own sync policy honoured (`applicationsetcontroller.enable.policy.override`),
 *   the server behind a ClusterIP Service (reach it with `kubectl port-forward` or an internal
 *   Ingress, never a public load balancer);
 * - the bootstrap Application, the very object the render writes to argocd/ (generators/argocd);
 * - with `clusterRegistration: pulumi` in manifests/argocd.yaml, the environments' cluster
 *   Secrets, again the render's own objects (generators/argocd clusterSecrets), which the
 *   render then leaves out.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from '../../generators/charts/object.js';

export const ARGOCD_HELM_REPO = 'https://argoproj.github.io/argo-helm';
export const ARGOCD_CHART = 'argo-cd';
/** Release name and fullnameOverride: Argo CD's objects keep their usual names (argocd-server...). */
export const ARGOCD_RELEASE = 'argocd';
/** The ServiceAccounts that call AWS: the controller syncs the clusters, the server shows their live state. */
export const HUB_SERVICE_ACCOUNTS = { controller: 'argocd-application-controller', server: 'argocd-server' } as const;
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

export interface ArgocdHubArgs {
  /** The hub cluster, as the stack builds it. */
  clusterName: pulumi.Input<string>;
  endpoint: pulumi.Input<string>;
  certificateAuthorityData: pulumi.Input<string>;
  region: string;
  oidcProviderArn: pulumi.Input<string>;
  /** Issuer without https://. */
  oidcProviderUrl: pulumi.Input<string>;
  /** The hub role to create: argocdHubPrincipalArn, which every environment's argocd-hub role trusts. */
  hubRoleArn: string;
  /** The environments' argocd-hub roles (argocd_hub_role_arn) the hub role may assume. */
  spokeRoleArns: pulumi.Input<string>[];
  /** Argo CD's namespace (manifests/argocd.yaml `namespace`). */
  namespace: string;
  chartVersion: string;
  production: boolean;
  /** The bootstrap Application, as generators/argocd renders it. */
  bootstrap: KubeObject;
  /** Cluster Secrets to create (clusterRegistration: pulumi), as generators/argocd renders them; none otherwise. */
  clusterSecrets: KubeObject[];
  /** What must exist before Argo CD can be scheduled (the node group). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** A kubeconfig for one EKS cluster, authenticating with `aws eks get-token`. */
export function eksKubeconfig(name: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: endpoint, 'certificate-authority-data': caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', name, '--region', region, '--output', 'json'],
            interactiveMode: 'Never',
          },
        },
      },
    ],
  });
}

/** The argo-cd chart values: HA in production, ApplicationSet policy override, IRSA, ClusterIP server. */
export function argocdValues(hubRoleArn: pulumi.Input<string>, production: boolean): Record<string, unknown> {
  const serviceAccount = (name: string) => ({ create: true, name, annotations: { [IRSA_ANNOTATION]: hubRoleArn } });
  const replicas = production ? 2 : 1;
  return {
    fullnameOverride: ARGOCD_RELEASE,
    // The environments' ApplicationSets carry their own sync policy (create-update): honour it.
    configs: { params: { 'applicationsetcontroller.enable.policy.override': true } },
    // HA as the chart documents it: redis-ha, two of each stateless component; one controller
    // (more needs sharding, which one hub of a few clusters does not).
    'redis-ha': { enabled: production },
    controller: { replicas: 1, serviceAccount: serviceAccount(HUB_SERVICE_ACCOUNTS.controller) },
    server: {
      replicas,
      service: { type: 'ClusterIP' },
      serviceAccount: serviceAccount(HUB_SERVICE_ACCOUNTS.server),
    },
    repoServer: { replicas },
    applicationSet: { replicas },
  };
}

/** Role name and path of an IAM role ARN: arn:aws:iam::111122223333:role/ops/argocd-hub -> argocd-hub, /ops/. */
export function roleNameOf(arn: string): { name: string; path: string } {
  const resource = arn.slice(arn.indexOf(':role/') + ':role/'.length);
  const slash = resource.lastIndexOf('/');
  return slash < 0 ? { name: resource, path: '/' } : { name: resource.slice(slash + 1), path: `/${resource.slice(0, slash + 1)}` };
}

export class ArgocdHub extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly provider: k8s.Provider;
  readonly release: k8s.helm.v3.Release;
  readonly bootstrap: k8s.apiextensions.CustomResource;
  readonly clusterSecrets: k8s.core.v1.Secret[];

  constructor(name: string, args: ArgocdHubArgs, opts?: pulumi.ComponentResourceOptions) {
    super('gitops-bridge:infra:ArgocdHub', name, {}, opts);
    const parent = { parent: this };

    // IRSA: one trust statement per ServiceAccount, each bound to exactly that subject.
    const { name: roleName, path } = roleNameOf(args.hubRoleArn);
    const trust = pulumi.all([args.oidcProviderArn, args.oidcProviderUrl]).apply(([arn, url]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: Object.entries(HUB_SERVICE_ACCOUNTS).map(([component, sa]) => ({
          Sid: component === 'controller' ? 'ApplicationController' : 'Server',
          Effect: 'Allow',
          Principal: { Federated: arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${url}:sub`]: `system:serviceaccount:${args.namespace}:${sa}`, [`${url}:aud`]: 'sts.amazonaws.com' } },
        })),
      }),
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      { name: roleName, path, description: 'Argo CD on the hub: assumes the environments\' argocd-hub roles', assumeRolePolicy: trust, tags: { 'gitops-bridge/workload': 'argocd' } },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-role`,
      {
        role: this.role.name,
        policy: pulumi.all(args.spokeRoleArns).apply((arns) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'AssumeSpokeRoles', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: [...new Set(arns)].sort() }],
          }),
        ),
      },
      parent,
    );

    const kubeconfig = pulumi
      .all([args.clusterName, args.endpoint, args.certificateAuthorityData])
      .apply(([cluster, endpoint, ca]) => eksKubeconfig(cluster, endpoint, ca, args.region));
    this.provider = new k8s.Provider(name, { kubeconfig, enableServerSideApply: true }, parent);
    const k8sOpts = { parent: this, provider: this.provider };

    this.release = new k8s.helm.v3.Release(
      `${name}-argocd`,
      {
        name: ARGOCD_RELEASE,
        chart: ARGOCD_CHART,
        version: args.chartVersion,
        repositoryOpts: { repo: ARGOCD_HELM_REPO },
        namespace: args.namespace,
        createNamespace: true,
        atomic: true,
        values: argocdValues(this.role.arn, args.production),
      },
      { ...k8sOpts, dependsOn: args.dependsOn ?? [] },
    );

    // The render's own objects, as they are: the bootstrap Application then keeps applying the
    // same content from git, and selfHeal and Pulumi agree on it.
    const { apiVersion, kind, metadata, ...rest } = args.bootstrap;
    this.bootstrap = new k8s.apiextensions.CustomResource(
      `${name}-bootstrap`,
      { apiVersion, kind, metadata, ...rest } as k8s.apiextensions.CustomResourceArgs,
      { ...k8sOpts, dependsOn: [this.release] },
    );
    this.clusterSecrets = args.clusterSecrets.map(
      (secret) => new k8s.core.v1.Secret(`${name}-${secret.metadata.name}`, secret as unknown as k8s.core.v1.SecretArgs, { ...k8sOpts, dependsOn: [this.release] }),
    );
    this.registerOutputs({ roleArn: this.role.arn, releaseStatus: this.release.status });
  }
}
