/**
 * What AWS access each workload of one environment asks for, read from the same dry specs the
 * generators render: the apps and enabled addons whose (overlay-merged) spec has
 * `serviceAccount.aws`, with the namespace and ServiceAccount its role must trust (through IRSA or
 * EKS Pod Identity, `serviceAccount.aws.identity`) and the statements of its inline policy. The
 * Pulumi program in infra/ creates the roles (and Pod Identity associations) from this, and
 * from manifests/argocd.yaml the hub's access to the cluster.
 *
 * It reads the dry specs with loadSpecs (specs.ts), as loadFleet does, but needs no stack-outputs snapshot: it runs before the snapshot exists
 * (the program produces it). `${bridge.<key>}` references stay unresolved here; the program
 * resolves them from its own outputs with `resolveStatements`. Pure: a SourceSet in, data out.
 */
import { BridgeError, ErrorSink } from '../core/errors.js';
import { closest, compareStrings } from '../core/strings.js';
import { identityOf, type AwsIdentity } from './aws-identity.js';
import { HUB_ADDON_ACCESS, type HubAddonAccess } from './hub-addon-access.js';
import { interpolate } from './interpolate.js';
import { validateAgainst } from './schemas.js';
import type { SourceSet } from './sources.js';
import { appsIn, broughtNamespace, deploymentsIn, loadSpecs, mergeSpec, referenceVariables, type Deployment, type LoadedAwsAccess, type LoadedChartApp, type LoadedKustomizeApp, type Specs } from './specs.js';
import type { AwsAccess, Environment, EnvironmentSpec } from './types.gen.js';

export type AwsPolicyStatement = NonNullable<AwsAccess['policy']>[number];
export { identityOf, type AwsIdentity };

export interface AwsWorkload {
  /** App or addon name (its directory under manifests/apps/ or manifests/addons/). */
  name: string;
  source: 'app' | 'addon';
  /** Owning team (spec.team): the role's team tag. */
  team: string;
  namespace: string;
  serviceAccount: string;
  /**
   * How the ServiceAccount gets the role: `irsa` (the default: OIDC trust, role-arn annotation)
   * or `pod-identity` (trust of pods.eks.amazonaws.com, an EKS Pod Identity association).
   */
  identity: AwsIdentity;
  /** Stack output that carries the role ARN, e.g. orders_api_iam_role_arn. */
  roleOutput: string;
  /** Inline policy statements as written (after the overlay merge), references unresolved. */
  statements: AwsPolicyStatement[];
  /** `${bridge.<key>}` keys the statements reference, sorted. */
  bridgeReferences: string[];
  /** Values of `${env.*}` and `${app.*}` for this workload. */
  variables: Record<string, string>;
  /** Spec files this workload was read from: base, then overlay if any. */
  files: string[];
}

export interface EnvironmentAwsAccess {
  environment: string;
  spec: EnvironmentSpec;
  file: string;
  /** Workloads with AWS access, sorted by name. */
  workloads: AwsWorkload[];
  /**
   * Ingress hosts of the environment's apps and addons (references to env/app resolved; a host
   * holding a bridge reference is left out), sorted: the TLS certificate has to cover them.
   */
  ingressHosts: string[];
  /**
   * manifests/argocd.yaml, schema-checked, when it exists: which kind of hub (spec.hubType) the
   * program admits to the cluster, and how (infra/components/argocd-access.ts).
   */
  argocd?: Specs['argocd'];
}

const ENV_FILE = /^manifests\/environments\/([^/]+)\.ya?ml$/;

/** Snake-case form of a name, as bridge keys use it: external-dns -> external_dns. */
export function bridgeName(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Stack outputs a workload adds to the bridge contract: the role ARN (under its roleOutput) and,
 * for addons as gitops-bridge does, `<addon>_namespace` and `<addon>_service_account`.
 */
export function workloadExports(w: AwsWorkload): { roleArn: string; namespace?: string; serviceAccount?: string } {
  if (w.source !== 'addon') return { roleArn: w.roleOutput };
  const base = bridgeName(w.name);
  return { roleArn: w.roleOutput, namespace: `${base}_namespace`, serviceAccount: `${base}_service_account` };
}

/** Environments defined in manifests/environments/, sorted. */
export function environmentNames(sources: SourceSet): string[] {
  const out: string[] = [];
  for (const file of sources.keys()) {
    const m = ENV_FILE.exec(file);
    if (m) out.push(m[1]!);
  }
  return out.sort(compareStrings);
}

export function readAwsAccess(sources: SourceSet, environment: string): EnvironmentAwsAccess {
  const errors = new ErrorSink();
  const specs = loadSpecs(sources, errors);
  const target = specs.environments.find((e) => e.name === environment);
  if (!target && !specs.environmentNames.includes(environment)) {
    const guess = closest(environment, specs.environmentNames);
    throw new BridgeError({
      code: 'unknown-reference',
      message: `no environment "${environment}": manifests/environments/${environment}.yaml does not exist`,
      hint: guess ? `did you mean "${guess}"? The Pulumi stack name is the environment name` : `environments: ${specs.environmentNames.join(', ') || 'none'}`,
    });
  }
  errors.throwIfAny();
  const { doc: envDoc, env } = target!;

  const workloads: AwsWorkload[] = [];
  const hosts = new Set<string>();
  for (const deployment of deploymentsIn(specs, environment, env)) {
    const read = errors.guard(() => readWorkload(deployment, environment, env));
    if (read?.workload) workloads.push(read.workload);
    if (read?.ingressHost) hosts.add(read.ingressHost);
  }
  for (const app of appsIn(specs, environment, env)) {
    if (app.kind === 'spec' || !app.awsAccess) continue;
    const workload = errors.guard(() => broughtWorkload(app, app.awsAccess!, environment, env, sources));
    if (workload) workloads.push(workload);
  }
  // Hub addons the hub's own ApplicationSets install, with the role their metadata names.
  (env.spec.hubAddons ?? []).forEach((addon) => {
    const known = HUB_ADDON_ACCESS[addon];
    if (known) workloads.push(hubAddonWorkload(addon, known, environment, env, envDoc.file));
  });

  const byOutput = new Map<string, AwsWorkload>();
  for (const w of workloads) {
    const other = byOutput.get(w.roleOutput);
    if (other) {
      errors.add({
        code: 'file-collision',
        message: `"${w.name}" and "${other.name}" both export their role ARN as "${w.roleOutput}"`,
        file: w.files[0],
        pointer: '/spec/serviceAccount/aws/roleOutput',
        hint: 'give each workload its own roleOutput, e.g. <app>_iam_role_arn',
      });
    }
    byOutput.set(w.roleOutput, w);
  }
  errors.throwIfAny();
  return { environment, spec: env.spec, file: envDoc.file, workloads, ingressHosts: [...hosts].sort(compareStrings), ...(specs.argocd && { argocd: specs.argocd }) };
}

/**
 * The IRSA workload of a hub addon: named as its bridge keys are (`cert_manager` ->
 * `cert-manager`, exporting cert_manager_iam_role_arn, _namespace and _service_account), in the
 * namespace and ServiceAccount the upstream addon uses.
 */
function hubAddonWorkload(addon: string, known: HubAddonAccess, environment: string, env: Environment, envFile: string): AwsWorkload {
  const name = addon.replace(/_/g, '-');
  const variables = referenceVariables({ name: environment, ...env.spec }, { name, namespace: known.namespace });
  const refs = new Set<string>();
  const statements = structuredClone(known.policy);
  interpolate(statements, { variables, bridge: recordingBridge(refs), unknown: () => new BridgeError({ code: 'unknown-bridge-key', message: 'unreachable' }) });
  return {
    name,
    source: 'addon',
    team: 'platform',
    namespace: known.namespace,
    serviceAccount: known.serviceAccount,
    roleOutput: `${addon}_iam_role_arn`,
    identity: 'irsa',
    statements,
    bridgeReferences: [...refs].sort(compareStrings),
    variables,
    files: [envFile],
  };
}

/** The AWS workload of a Kustomize or chart app, from its aws-access.yaml. */
function broughtWorkload(app: LoadedKustomizeApp | LoadedChartApp, access: LoadedAwsAccess, environment: string, env: Environment, sources: SourceSet): AwsWorkload {
  const namespace = broughtNamespace(app, environment, sources).name;
  const variables = referenceVariables({ name: environment, ...env.spec }, { name: app.name, namespace });
  const { team, serviceAccount } = access.data.spec;
  const statements = structuredClone(serviceAccount.aws.policy ?? []);
  const refs = new Set<string>();
  try {
    interpolate(statements, { variables, bridge: recordingBridge(refs), unknown: () => new BridgeError({ code: 'unknown-bridge-key', message: 'unreachable' }) });
  } catch (e) {
    if (!(e instanceof BridgeError)) throw e;
    const pointer = `/spec/serviceAccount/aws/policy${e.pointer ?? ''}`;
    throw new BridgeError({ code: e.code, message: e.message, hint: e.hint, file: access.doc.file, pointer, line: access.doc.lineOf(pointer) });
  }
  return {
    name: app.name,
    source: app.source,
    team,
    namespace,
    serviceAccount: serviceAccount.name,
    identity: identityOf(serviceAccount.aws),
    roleOutput: serviceAccount.aws.roleOutput,
    statements,
    bridgeReferences: [...refs].sort(compareStrings),
    variables,
    files: [access.doc.file],
  };
}

/** A bridge that answers every key with '' and records which were asked for. */
function recordingBridge(refs: Set<string>): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    get: (_t, key) => {
      refs.add(String(key));
      return '';
    },
  });
}

function readWorkload(deployment: Deployment, environment: string, env: Environment): { workload?: AwsWorkload; ingressHost?: string } {
  const { app, overlay } = deployment;
  const { spec, namespace, variables, whoSet } = mergeSpec(deployment, environment, env);
  const merged = validateAgainst('app', { ...app.app, spec }, app.doc, whoSet, { deferReferences: true });
  if (merged.length) {
    const sink = new ErrorSink();
    merged.forEach((e) => sink.add(e));
    sink.throwIfAny();
  }
  const name = app.name;
  /** Resolves `${env.*}`/`${app.*}` in the value at `at` (under /spec), errors located in the spec file. */
  const resolve = <T>(value: T, at: string, bridge: Record<string, string>): T => {
    try {
      return interpolate(value, { variables, bridge, unknown: () => new BridgeError({ code: 'unknown-bridge-key', message: 'unreachable' }) });
    } catch (e) {
      if (!(e instanceof BridgeError)) throw e;
      const pointer = `/spec${at}${e.pointer ?? ''}`;
      const located = whoSet(pointer);
      throw new BridgeError({ code: e.code, message: e.message, hint: e.hint, file: located.file, pointer, line: located.lineOf(pointer) });
    }
  };

  const host = spec.ingress?.host;
  const ingressHost = host !== undefined && !/\$\{\s*bridge\./.test(host) ? resolve(host, '/ingress/host', {}) : undefined;

  const aws = spec.serviceAccount?.aws;
  if (!aws) return { ingressHost };
  const statements = structuredClone(aws.policy ?? []);
  // Resolve once with a recording bridge: checks the ${env.*}/${app.*} references now (with the
  // file and pointer in the error) and collects the bridge keys the program must provide.
  const refs = new Set<string>();
  resolve(statements, '/serviceAccount/aws/policy', recordingBridge(refs));
  const workload: AwsWorkload = {
    name,
    source: app.source,
    team: spec.team,
    namespace,
    serviceAccount: spec.serviceAccount?.name ?? name,
    identity: identityOf(aws),
    roleOutput: aws.roleOutput,
    statements,
    bridgeReferences: [...refs].sort(compareStrings),
    variables,
    files: overlay ? [app.doc.file, overlay.doc.file] : [app.doc.file],
  };
  return { workload, ingressHost };
}

/**
 * The workload's statements with every reference resolved: `${env.*}`/`${app.*}` from the
 * workload, `${bridge.<key>}` from `bridge` (the stack's own outputs). Pure.
 */
export function resolveStatements(w: AwsWorkload, bridge: Record<string, string>): AwsPolicyStatement[] {
  return interpolate(w.statements, {
    variables: w.variables,
    bridge,
    unknown: (key, pointer) => unknownBridgeReference(w, key, Object.keys(bridge), pointer),
  });
}

/** The error for a `${bridge.<key>}` the stack does not provide, naming the spec file. */
export function unknownBridgeReference(w: AwsWorkload, key: string, known: string[], pointer = ''): BridgeError {
  const guess = closest(key, known);
  return new BridgeError({
    code: 'unknown-bridge-key',
    message: `the AWS policy of "${w.name}" references \${bridge.${key}}, which the infra program does not provide before the workload roles`,
    file: w.files[w.files.length - 1],
    pointer: `/spec/serviceAccount/aws/policy${pointer}`,
    hint: guess ? `did you mean "${guess}"?` : `policy statements may reference: ${[...known].sort(compareStrings).join(', ')}`,
  });
}

/** An IAM policy document (JSON object) from resolved statements. */
export function policyDocument(statements: AwsPolicyStatement[]): { Version: '2012-10-17'; Statement: Record<string, unknown>[] } {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid !== undefined && { Sid: s.sid }),
      Effect: 'Allow',
      Action: [...s.actions],
      Resource: [...s.resources],
    })),
  };
}

/**
 * The trust policy of an IRSA role: only the named ServiceAccount, through the cluster's OIDC
 * provider, with the STS audience. `oidcProvider` is the issuer without https://.
 */
export function irsaTrustPolicy(oidcProviderArn: string, oidcProvider: string, namespace: string, serviceAccount: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServiceAccount',
        Effect: 'Allow',
        Principal: { Federated: oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${oidcProvider}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${oidcProvider}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/** The service principal of EKS Pod Identity, the only one a Pod Identity role trusts. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/**
 * The trust policy of an EKS Pod Identity role: only the pods.eks.amazonaws.com service, with
 * sts:AssumeRole and sts:TagSession (it passes the pod's session tags). Its conditions on the
 * session tags EKS Pod Identity sets (eks-cluster-name, kubernetes-namespace,
 * kubernetes-service-account) keep the role to exactly one cluster, namespace and ServiceAccount,
 * even if some other association in the account named it. No OIDC provider is involved.
 */
export function podIdentityTrustPolicy(clusterName: string, namespace: string, serviceAccount: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PodIdentity',
        Effect: 'Allow',
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-name': clusterName,
            'aws:RequestTag/kubernetes-namespace': namespace,
            'aws:RequestTag/kubernetes-service-account': serviceAccount,
          },
        },
      },
    ],
  };
}
