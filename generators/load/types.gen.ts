/* Generated from schemas/*.schema.json by `npm run schemas:types`. Do not edit. */

/**
 * An addon name of the gitops-bridge contract (the `enable_<addon>` keys of gitops-bridge-dev/gitops-bridge's EKS examples, aws_addons and oss_addons): the hub's addon ApplicationSets select clusters on the label `enable_<addon>: "true"`.
 */
export type UpstreamAddon =
  | 'aws_cloudwatch_metrics'
  | 'aws_ebs_csi_resources'
  | 'aws_efs_csi_driver'
  | 'aws_for_fluentbit'
  | 'aws_fsx_csi_driver'
  | 'aws_gateway_api_controller'
  | 'aws_load_balancer_controller'
  | 'aws_node_termination_handler'
  | 'aws_privateca_issuer'
  | 'aws_secrets_store_csi_driver_provider'
  | 'cert_manager'
  | 'cluster_autoscaler'
  | 'external_dns'
  | 'external_secrets'
  | 'fargate_fluentbit'
  | 'karpenter'
  | 'velero'
  | 'ack_apigatewayv2'
  | 'ack_dynamodb'
  | 'ack_emrcontainers'
  | 'ack_eventbridge'
  | 'ack_prometheusservice'
  | 'ack_rds'
  | 'ack_s3'
  | 'ack_sfn'
  | 'argocd'
  | 'argo_events'
  | 'argo_rollouts'
  | 'argo_workflows'
  | 'cluster_proportional_autoscaler'
  | 'gatekeeper'
  | 'gpu_operator'
  | 'ingress_nginx'
  | 'keda'
  | 'kube_prometheus_stack'
  | 'kyverno'
  | 'metrics_server'
  | 'prometheus_adapter'
  | 'secrets_store_csi_driver'
  | 'vpa';
/**
 * mandatory: a violation fails render and check (exit 1, nothing written); advisory: a warning; off: not checked.
 */
export type PolicySetting = 'mandatory' | 'advisory' | 'off';

/**
 * One environment (one cluster): manifests/environments/<name>.yaml. Its stack outputs live in infra/outputs/<name>.json.
 */
export interface Environment {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'Environment';
  metadata: {
    /**
     * Must match the file name and the Pulumi stack name.
     */
    name: string;
  };
  spec: EnvironmentSpec;
}
export interface EnvironmentSpec {
  /**
   * What the environment is for; production tightens policy.
   */
  tier: 'development' | 'staging' | 'production';
  /**
   * DNS zone the environment's hosts live under, e.g. dev.shop.example.com.
   */
  domain: string;
  /**
   * Cluster addons this project renders into the environment; each is a directory of manifests/addons/. A rendered addon never gets an `enable_<addon>` label on the cluster Secret (upstream, that label means "the hub installs it") and may not also be a hub addon.
   */
  addons?: string[];
  /**
   * Addons the hub's own gitops-bridge addon ApplicationSets install into this environment (the Terraform gitops-bridge flow): each becomes the label `enable_<addon>: "true"` on the environment's Argo CD cluster Secret, with its eks-blueprints-addons metadata annotations (`<addon>_iam_role_arn`, `_namespace`, `_service_account`...) from the bridge. Upstream names, with `_`, e.g. aws_load_balancer_controller, cert_manager. An addon is either rendered (spec.addons) or a hub addon, never both.
   */
  hubAddons?: UpstreamAddon[];
  ingress: {
    /**
     * IngressClass every Ingress uses, e.g. alb.
     */
    className: string;
    /**
     * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
     */
    controllerNamespace: string;
    controllerPodLabels: Labels;
    annotations?: Labels1;
  };
  /**
   * Default store ExternalSecrets read from.
   */
  secretStore: {
    kind: 'SecretStore' | 'ClusterSecretStore';
    /**
     * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
     */
    name: string;
  };
  /**
   * ResourceQuota and LimitRange given to every app namespace.
   */
  namespaceDefaults: {
    quota: {
      requests: ResourceList;
      limits: ResourceList;
      pods: number;
    };
    limitRange: {
      defaultRequest: ResourceList;
      default: ResourceList;
    };
  };
  /**
   * Policy levels in this environment, overriding each policy's default (see generators/check/policies/): mandatory, advisory or off.
   */
  policies?: {
    'image-immutable'?: PolicySetting;
    'container-resources'?: PolicySetting;
    'standard-labels'?: PolicySetting;
    'no-privileged'?: PolicySetting;
    'run-as-non-root'?: PolicySetting;
    'read-only-root-filesystem'?: PolicySetting;
    'no-plaintext-secret'?: PolicySetting;
    'no-credentials'?: PolicySetting;
    'pdb-in-production'?: PolicySetting;
    probes?: PolicySetting;
    'no-load-balancer'?: PolicySetting;
    'references-resolve'?: PolicySetting;
  };
  /**
   * Whether apps may expose a Service of type LoadBalancer.
   */
  allowLoadBalancerServices?: boolean;
  /**
   * The Prometheus the apps' rollout analyses query (spec.rollout.analysis), unless an app names its own.
   */
  prometheus?: {
    /**
     * e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090
     */
    address: string;
  };
  /**
   * How releases reach this environment through promotion (layout: environment-branches with GitOps Promoter, and `npm run promote`).
   */
  promotion?: {
    /**
     * Place in the promotion order (GitOps Promoter's PromotionStrategy): lower first. Default: by tier (development, staging, production), then by name.
     */
    order?: number;
    /**
     * Whether GitOps Promoter merges this environment's promotion pull requests itself once their commit statuses pass. Default false: a person merges them.
     */
    autoMerge?: boolean;
    /**
     * Tiers of the environments a release may be promoted from into this one (`npm run promote -- --from <env>`), e.g. [staging] for production. Default: any tier.
     *
     * @minItems 1
     */
    fromTiers?: ['development' | 'staging' | 'production', ...('development' | 'staging' | 'production')[]];
  };
  /**
   * How Argo CD syncs this environment's applications.
   */
  sync?: {
    automated?: boolean;
    prune?: boolean;
    selfHeal?: boolean;
  };
}
/**
 * Labels of the ingress controller pods.
 */
export interface Labels {
  [k: string]: string;
}
/**
 * Annotations added to every Ingress of the environment.
 */
export interface Labels1 {
  [k: string]: string;
}
export interface ResourceList {
  /**
   * A Kubernetes resource quantity, e.g. 250m, 1, 512Mi, 2Gi.
   */
  cpu?: string;
  /**
   * A Kubernetes resource quantity, e.g. 250m, 1, 512Mi, 2Gi.
   */
  memory?: string;
}

/**
 * One application or cluster addon: manifests/apps/<name>/app.yaml or manifests/addons/<name>/app.yaml. Per-environment differences go in overlays/<env>.yaml beside it. Strings may reference ${env.name}, ${env.domain}, ${app.name}, ${app.namespace} and ${bridge.<key>} (a key of infra/outputs/<env>.json); write $${ for a literal ${.
 */
export interface App {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'App';
  metadata: {
    /**
     * Must match the directory name.
     */
    name: string;
  };
  spec: AppSpec;
}
export interface AppSpec {
  /**
   * Owning team; becomes the team label and cost allocation tag.
   */
  team: string;
  /**
   * The product or system the app belongs to (app.kubernetes.io/part-of). Defaults to the team.
   */
  partOf?: string;
  description?: string;
  /**
   * Namespace to deploy into. Defaults to the app name; apps of one team may share one. gitops-bridge owns it: it renders the Namespace (Pod Security restricted), a ResourceQuota, a LimitRange and a default-deny NetworkPolicy. {name, managed: false} deploys into a namespace something else owns (kube-system, Argo CD's, a hub addon's, one made outside this repository): nothing is rendered for the namespace itself, and every app in it must say managed: false.
   */
  namespace?:
    | string
    | {
        /**
         * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
         */
        name: string;
        /**
         * false: the namespace is not gitops-bridge's; it renders no Namespace, quota, limit range or default-deny policy for it.
         */
        managed: boolean;
      };
  /**
   * Environments the app is deployed to. Defaults to every environment (for addons: every environment that enables it).
   */
  environments?: string[];
  image: Image;
  command?: string[];
  args?: string[];
  /**
   * Replicas of the Deployment (ignored by the HPA once autoscaling is on: it sets minReplicas).
   */
  replicas?: number;
  ports?: Port[];
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * Environment variables, merged by name across overlays.
   */
  env?: EnvVar[];
  /**
   * Non-secret configuration, rendered as the ConfigMap <app>-config and loaded with envFrom.
   */
  config?: {
    [k: string]: string;
  };
  resources?: {
    requests: ResourceList;
    limits: ResourceList;
  };
  probes?: {
    liveness?: Probe;
    readiness?: Probe;
    startup?: Probe;
  };
  securityContext?: {
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    readOnlyRootFilesystem?: boolean;
  };
  serviceAccount?: {
    /**
     * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
     */
    name?: string;
    aws?: AwsAccess;
  };
  rbac?: {
    /**
     * Rules of a ClusterRole bound to the app's ServiceAccount (for addons that watch the cluster).
     *
     * @minItems 1
     */
    clusterRules?: [PolicyRule, ...PolicyRule[]];
  };
  ingress?: Ingress;
  externalSecrets?: ExternalSecret[];
  autoscaling?: {
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
    targetMemoryUtilizationPercentage?: number;
  };
  disruptionBudget?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
  cronJob?: CronJob;
  networkPolicy?: NetworkAccess;
  podAnnotations?: Labels;
  rollout?: Rollout;
}
/**
 * An immutable image reference: a version or commit tag, or a digest (never latest).
 */
export interface Image {
  repository: string;
  /**
   * A version or commit tag, e.g. 2.8.1 or 3f9c2ab; mutable tags (latest, stable, main, master) are refused: publish a version, or pin a digest.
   */
  tag?: string;
  digest?: string;
}
export interface Port {
  name: string;
  containerPort: number;
  /**
   * Expose this port on the app's Service.
   */
  servicePort?: number;
  /**
   * The container port's protocol: its Service port and the network policy rules that open it carry the same.
   */
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}
export interface EnvVar {
  name: string;
  value?: string;
  /**
   * Take the value from the environment's stack outputs.
   */
  fromBridge?: string;
  fromSecret?: {
    /**
     * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
     */
    name: string;
    key: string;
  };
  /**
   * A pod field, e.g. status.podIP.
   */
  fromField?: string;
}
export interface Probe {
  /**
   * HTTP path; without it the probe is a TCP check.
   */
  path?: string;
  port: string | number;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
/**
 * AWS access through IRSA (the default) or EKS Pod Identity. The Pulumi program creates the role; its ARN comes back through the bridge either way.
 */
export interface AwsAccess {
  /**
   * How the ServiceAccount gets the role. irsa: the role trusts the cluster's OIDC provider for this ServiceAccount, which carries the eks.amazonaws.com/role-arn annotation. pod-identity: the role trusts pods.eks.amazonaws.com, the program creates an EKS Pod Identity association for exactly this namespace and ServiceAccount (and the eks-pod-identity-agent add-on), and the ServiceAccount carries no annotation.
   */
  identity?: 'irsa' | 'pod-identity';
  /**
   * Stack output holding the role ARN, e.g. orders_api_iam_role_arn.
   */
  roleOutput: string;
  /**
   * Statements of the role's inline policy.
   */
  policy?: {
    sid?: string;
    /**
     * @minItems 1
     */
    actions: [string, ...string[]];
    /**
     * @minItems 1
     */
    resources: [string, ...string[]];
  }[];
}
export interface PolicyRule {
  apiGroups: string[];
  /**
   * @minItems 1
   */
  resources: [string, ...string[]];
  /**
   * @minItems 1
   */
  verbs: [
    'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection',
    ...('get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection')[]
  ];
}
export interface Ingress {
  /**
   * Host name; may use ${env.domain}.
   */
  host: string;
  path?: string;
  /**
   * Name of the port (with a servicePort) to route to.
   */
  port: string;
  /**
   * Internet-facing instead of internal.
   */
  public?: boolean;
  annotations?: Labels;
}
/**
 * Kubernetes labels or annotations: qualified-name keys, string values.
 */
export interface ExternalSecret {
  /**
   * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
   */
  name: string;
  refreshInterval?: string;
  store?: {
    kind: 'SecretStore' | 'ClusterSecretStore';
    /**
     * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
     */
    name: string;
  };
  /**
   * @minItems 1
   */
  data: [
    {
      secretKey: string;
      remoteKey: string;
      property?: string;
    },
    ...{
      secretKey: string;
      remoteKey: string;
      property?: string;
    }[]
  ];
}
/**
 * Run the app on a schedule (a CronJob) instead of as a Deployment.
 */
export interface CronJob {
  schedule: string;
  timeZone?: string;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}
/**
 * Traffic the app needs beyond the defaults (DNS out; the ingress controller in when it has an ingress).
 */
export interface NetworkAccess {
  /**
   * Apps allowed to call this app's ports.
   */
  ingressFrom?: Peer[];
  /**
   * Destinations the app may call.
   */
  egressTo?: Peer[];
}
export interface Peer {
  /**
   * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
   */
  app?: string;
  /**
   * A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.
   */
  namespace?: string;
  cidr?: string;
  /**
   * Ports to open: a number, or {port, protocol} for UDP or SCTP. In ingressFrom a number takes the protocol of this app's container port of that number (TCP when it has none); in egressTo a number is TCP.
   */
  ports?: (
    | number
    | {
        port: number;
        protocol?: 'TCP' | 'UDP' | 'SCTP';
      }
  )[];
}
/**
 * Progressive delivery with Argo Rollouts: the app renders an argoproj.io Rollout instead of a Deployment, with the same pod template. canary: weight steps, pauses and analysis; blueGreen: a preview Service, promoted by hand or automatically. The environment needs the Argo Rollouts controller (hubAddons: [argo_rollouts]). An overlay may add, change or remove (null) it.
 */
export interface Rollout {
  strategy: 'canary' | 'blueGreen';
  /**
   * canary: the steps of every update, in order. After the last one the new version takes all traffic.
   *
   * @minItems 1
   */
  steps?: [RolloutStep, ...RolloutStep[]];
  /**
   * canary: how the canary's share is set. ingress: the stable and canary Services and the app's Ingress split the traffic by weight (the environment's ingress controller must be one Argo Rollouts drives: alb); replicas: by the share of pods behind the app's Service. Defaults to ingress for an app with an ingress in an environment whose ingress class is alb, else replicas.
   */
  trafficRouting?: 'ingress' | 'replicas';
  /**
   * blueGreen: switch the active Service to the new version as soon as it is ready (and its pre-promotion analysis passed), instead of waiting for `kubectl argo rollouts promote`.
   */
  autoPromotion?: boolean;
  /**
   * blueGreen: how long the old version keeps running after the switch.
   */
  scaleDownDelaySeconds?: number;
  /**
   * blueGreen: run the app's analysis against the preview before switching.
   */
  prePromotionAnalysis?: boolean;
  /**
   * blueGreen: run the app's analysis after switching; a failure switches back.
   */
  postPromotionAnalysis?: boolean;
  analysis?: RolloutAnalysis;
}
export interface RolloutStep {
  /**
   * Percent of the traffic (or of the pods) the new version gets.
   */
  setWeight?: number;
  /**
   * Wait: for the duration, or without one until `kubectl argo rollouts promote`.
   */
  pause?: {
    duration?: string;
  };
  /**
   * Run the app's analysis (spec.rollout.analysis) on the new version; the update is aborted and rolled back when it fails.
   */
  analysis?: {};
}
/**
 * The app's AnalysisTemplate: Prometheus queries on the new version's pods (the rollouts-pod-template-hash label), run `count` times every `interval`; more than `failureLimit` failed measurements fail the analysis. At least one of successRate and latency.
 */
export interface RolloutAnalysis {
  /**
   * Where Prometheus answers. Defaults to the environment's spec.prometheus.address.
   */
  prometheus?: {
    address?: string;
    /**
     * A stack output holding the address.
     */
    fromBridge?: string;
  };
  interval?: string;
  count?: number;
  failureLimit?: number;
  /**
   * Share of requests that are not 5xx. Default query: http_requests_total by its code label.
   */
  successRate?: {
    minimum: number;
    /**
     * PromQL giving one number; {{args.pod-template-hash}} is the new version's pod-template hash.
     */
    query?: string;
  };
  /**
   * A latency quantile in seconds. Default query: histogram_quantile over http_request_duration_seconds_bucket.
   */
  latency?: {
    maxSeconds: number;
    quantile?: number;
    /**
     * PromQL giving one number; {{args.pod-template-hash}} is the new version's pod-template hash.
     */
    query?: string;
  };
}

/**
 * Per-environment differences of one app: <app dir>/overlays/<env>.yaml. `spec` is deep-merged over the base spec (maps merge, lists of named items merge by name, other lists and scalars replace, null deletes, an item {name, $patch: delete} removes that item); `patches` are JSON 6902 patches applied to the rendered objects, for what the spec does not model.
 */
export interface AppOverlay {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'AppOverlay';
  metadata: {
    /**
     * The app this overlay applies to.
     */
    name: string;
    /**
     * Must match the file name.
     */
    environment: string;
  };
  /**
   * A partial app spec; the merged result is validated against app.schema.json.
   */
  spec?: {};
  patches?: Patch[];
}
export interface Patch {
  target: {
    kind: string;
    name: string;
  };
  /**
   * @minItems 1
   */
  operations: [Operation, ...Operation[]];
}
export interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * The bridge contract: what `pulumi stack output --json` prints for one stack, committed as infra/outputs/<env>.json. Flat, snake_case keys following gitops-bridge; never a secret.
 */
export interface StackOutputs {
  aws_account_id: string;
  aws_region: string;
  aws_cluster_name: string;
  aws_vpc_id: string;
  cluster_endpoint: string;
  cluster_certificate_authority_data: string;
  oidc_provider: string;
  oidc_provider_arn: string;
  kubernetes_version: string;
  [k: string]: string | number | boolean;
}

/**
 * How the Argo CD hub consumes the `rendered` branch: manifests/argocd.yaml. With it, a complete render also writes rendered/argocd/ (ApplicationSets, AppProjects, cluster Secrets and the bootstrap Application); without it, rendered/argocd/ is not generated.
 */
export interface ArgoCD {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'ArgoCD';
  spec: ArgoCDSpec;
}
export interface ArgoCDSpec {
  /**
   * Git URL of this repository as Argo CD knows it (the repository holding the `rendered` branch). The AppProjects allow no other source.
   */
  repoURL: string;
  /**
   * Branch Argo CD reads the rendered manifests from.
   */
  targetRevision?: string;
  /**
   * Namespace Argo CD runs in on the hub: where the ApplicationSets, AppProjects, cluster Secrets and Applications live. Defaults to argocd.
   */
  namespace?: string;
  /**
   * Who creates the environments' Argo CD cluster Secrets. `rendered` (default): the render writes them into rendered/argocd/ and the bootstrap Application applies them. `pulumi`: the hub's Pulumi stack (infra/, `hub: true`) creates them with the same content (the classic gitops-bridge flow) and the render leaves them out. Never both.
   */
  clusterRegistration?: 'rendered' | 'pulumi';
  /**
   * Cluster-scoped kinds the environments' AppProjects let Applications create (clusterResourceWhitelist). A render fails when an environment renders a cluster-scoped kind not listed here. Defaults to Namespace, ClusterRole and ClusterRoleBinding.
   */
  clusterScopedAllowList?: {
    /**
     * API group; "" for the core group.
     */
    group: string;
    kind: string;
  }[];
  /**
   * How rendered:commit lays the render out in git. `single-branch` (default): every environment and the hub on the `rendered` branch, Applications read `<env>/<app>` there. `environment-branches`: each environment's directory becomes the root of its own proposed branch `environment/<env>-next`, whose active branch `environment/<env>` (created from the same history when missing, then written only by merged pull requests, e.g. GitOps Promoter's) is what its Applications read; the hub's objects (argocd/) stay on the `rendered` branch, which nothing promotes.
   */
  layout?: 'single-branch' | 'environment-branches';
  /**
   * GitOps Promoter objects for the hub, rendered into argocd/ (needs layout: environment-branches): a GitRepository, a PromotionStrategy promoting environment/<env> in the environments' promotion order, and an ArgoCDCommitStatus gating each promotion on the environment's Applications being synced and healthy. The ScmProvider (and its Secret) is created by hand: credentials never reach git.
   */
  promoter?: {
    /**
     * Namespace of the Promoter objects and of the ScmProvider they reference. Defaults to promoter-system.
     */
    namespace?: string;
    /**
     * The ScmProvider (in `namespace`) or ClusterScmProvider holding the credentials Promoter opens pull requests with.
     */
    scmProviderRef: {
      kind?: 'ScmProvider' | 'ClusterScmProvider';
      name: string;
    };
    /**
     * The GitRepository's provider block as Promoter's CRD spells it, e.g. {gitlab: {namespace, name, projectId}}. Default for a github.com repoURL: {github: {owner, name}} taken from it.
     */
    repository?: {};
    /**
     * Key of the commit status the ArgoCDCommitStatus reports and every environment waits for. Defaults to argocd-health.
     */
    commitStatusKey?: string;
  };
  /**
   * What the hub is. self-managed (default): Argo CD installed on the hub cluster; each cluster Secret has the cluster endpoint as `server` and an awsAuthConfig assuming the bridge key argocd_hub_role_arn. eks-capability: the AWS-managed Argo CD of the EKS capability; each cluster Secret has the EKS cluster ARN (from the bridge keys aws_region, aws_account_id and aws_cluster_name) as `server` and no credentials: the capability's role reaches the cluster through an EKS access entry the infra program creates.
   */
  hubType?: 'self-managed' | 'eks-capability';
  addonsRepo?: RepoRef;
  workloadRepo?: RepoRef1;
}
/**
 * The repository of the hub's gitops-bridge addon ApplicationSets and their values (the Terraform gitops-bridge's gitops_addons_* variables), written into every cluster Secret as the annotations addons_repo_url, addons_repo_basepath, addons_repo_path and addons_repo_revision, which upstream addon ApplicationSets read. Required when an environment has spec.hubAddons.
 */
export interface RepoRef {
  /**
   * Git URL as Argo CD knows it.
   */
  url: string;
  /**
   * Prefix of every path in the repository; upstream templates concatenate basepath and path, so a non-empty basepath ends with "/". Defaults to "".
   */
  basepath?: string;
  /**
   * Path under basepath: of the addon ApplicationSets, or of the workloads. Defaults to "".
   */
  path?: string;
  /**
   * Branch, tag or commit. Defaults to HEAD (for workloadRepo: spec.targetRevision).
   */
  revision?: string;
}
/**
 * The workload repository, written into every cluster Secret as workload_repo_url, workload_repo_basepath, workload_repo_path and workload_repo_revision. Defaults to this repository's `rendered` branch: url spec.repoURL, revision spec.targetRevision, empty basepath and path.
 */
export interface RepoRef1 {
  /**
   * Git URL as Argo CD knows it.
   */
  url: string;
  /**
   * Prefix of every path in the repository; upstream templates concatenate basepath and path, so a non-empty basepath ends with "/". Defaults to "".
   */
  basepath?: string;
  /**
   * Path under basepath: of the addon ApplicationSets, or of the workloads. Defaults to "".
   */
  path?: string;
  /**
   * Branch, tag or commit. Defaults to HEAD (for workloadRepo: spec.targetRevision).
   */
  revision?: string;
}

/**
 * A policy of generators/check/policies/.
 */
export type PolicyId =
  | 'image-immutable'
  | 'container-resources'
  | 'standard-labels'
  | 'no-privileged'
  | 'run-as-non-root'
  | 'read-only-root-filesystem'
  | 'no-plaintext-secret'
  | 'no-credentials'
  | 'pdb-in-production'
  | 'probes'
  | 'no-load-balancer'
  | 'references-resolve';

/**
 * Policy exemptions of one app or addon: manifests/apps/<name>/exemptions.yaml (or manifests/addons/<name>/exemptions.yaml). Each names the policy it lifts and why; render and check list every exemption they apply. Kubernetes schema errors cannot be exempted.
 */
export interface Exemptions {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'Exemptions';
  metadata: {
    /**
     * The app (its directory name).
     */
    name: string;
  };
  /**
   * @minItems 1
   */
  exemptions: [Exemption, ...Exemption[]];
}
export interface Exemption {
  policy: PolicyId;
  /**
   * Why the app may break this policy, for reviewers and auditors: a sentence, not a ticket number alone.
   */
  reason: string;
  /**
   * Environments the exemption holds in. Defaults to every environment the app runs in.
   *
   * @minItems 1
   */
  environments?: [string, ...string[]];
  /**
   * Rendered objects the exemption holds for, as Kind/name (e.g. Deployment/external-dns). Defaults to every object of the app.
   *
   * @minItems 1
   */
  resources?: [string, ...string[]];
}

/**
 * The AWS access of a Kustomize or chart app: manifests/apps/<name>/aws-access.yaml (or manifests/addons/<name>/aws-access.yaml), beside base/kustomization.yaml or chart.ts. The Pulumi program creates a role trusted by the app's ServiceAccount (through IRSA, or EKS Pod Identity with serviceAccount.aws.identity: pod-identity, when the app's ServiceAccount must carry no eks.amazonaws.com/role-arn annotation), with this inline policy, and exports its ARN under roleOutput (for an addon also <addon>_namespace and <addon>_service_account), which the app reads back as ${bridge.<roleOutput>}. A spec app says the same in app.yaml spec.serviceAccount.aws.
 */
export interface AwsAccessFile {
  apiVersion: 'gitops-bridge.dev/v1alpha1';
  kind: 'AwsAccess';
  metadata: {
    /**
     * The app (its directory name).
     */
    name: string;
  };
  spec: {
    /**
     * Owning team: the role's team tag.
     */
    team: string;
    serviceAccount: {
      /**
       * The ServiceAccount the app renders, in the app's namespace: the one the role trusts.
       */
      name: string;
      aws: AwsAccess;
    };
  };
}
/**
 * AWS access through IRSA (the default) or EKS Pod Identity. The Pulumi program creates the role; its ARN comes back through the bridge either way.
 */
