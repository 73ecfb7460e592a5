/**
 * The Kubernetes objects of one app in one environment, built with cdk8s (one App per
 * environment and app: cdk8s synthesis is quadratic in the charts of one App). Pure.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { createHash } from 'node:crypto';
import { BridgeError } from '../core/errors.js';
import { identityOf } from '../load/aws-identity.js';
import type { EnvironmentInstance, SpecAppInstance } from '../load/fleet.js';
import type { AppSpec, EnvVar, Probe } from '../load/types.gen.js';
import { appLabels, selectorLabels } from './labels.js';
import { k8s, type KubeObject } from './object.js';
import { addRollout, extraServiceNames, routedIngress, scaleTarget } from './rollout.js';
import { add, synth } from './synth.js';

/**
 * What an app's chart reads: the app instance (without its source locators) and its
 * environment, of whose apps only the names and namespaces (for network policy peers). Plain
 * data, so a unit can be rendered from a copy (a worker thread) as well as from the fleet.
 */
export type ChartApp = Pick<SpecAppInstance, 'name' | 'environment' | 'source' | 'namespace' | 'spec' | 'files'>;
export interface ChartEnv {
  name: string;
  spec: EnvironmentInstance['spec'];
  outputs: Record<string, string>;
  apps: readonly { name: string; namespace: string }[];
}

/** Where the EKS Pod Identity agent serves credentials on every node (IPv4). */
export const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';

const q = (v: string | undefined) => (v === undefined ? undefined : k8s.Quantity.fromString(v));
const port = (p: string | number) => (typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p));
const intOrPercent = (v: string | number | undefined) => (v === undefined ? undefined : port(v));

export function appObjects(app: ChartApp, env: ChartEnv): KubeObject[] {
  return synth(appChart(app, env));
}

/** The app's chart, built (synthesised by appObjects). */
export function appChart(app: ChartApp, env: ChartEnv): Chart {
  const spec = app.spec;
  const chart = new Chart(new App(), app.name, { namespace: app.namespace, disableResourceNameHashes: true });
  const labels = appLabels(app);
  const selector = selectorLabels(app);
  const meta = (name: string, extra: { annotations?: Record<string, string> } = {}) => ({ name, labels, ...extra });
  const saName = spec.serviceAccount?.name ?? app.name;
  const configName = `${app.name}-config`;

  const needsApiToken = Boolean(spec.rbac?.clusterRules);
  // IRSA finds the role through this annotation; with EKS Pod Identity the association in the
  // cluster names it, and the ServiceAccount carries nothing.
  const aws = spec.serviceAccount?.aws;
  const irsaRole = aws && identityOf(aws) === 'irsa' ? env.outputs[aws.roleOutput]! : undefined;
  add(chart, k8s.KubeServiceAccount, 'service-account', {
    metadata: meta(saName, irsaRole !== undefined ? { annotations: { 'eks.amazonaws.com/role-arn': irsaRole } } : {}),
    automountServiceAccountToken: needsApiToken,
  });

  if (spec.config && Object.keys(spec.config).length > 0) {
    add(chart, k8s.KubeConfigMap, 'config', { metadata: meta(configName), data: spec.config });
  }

  for (const [i, es] of (spec.externalSecrets ?? []).entries()) {
    const store = es.store ?? env.spec.secretStore;
    add(chart, ApiObject, `external-secret-${i}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: meta(es.name),
      spec: {
        refreshInterval: es.refreshInterval ?? '1h',
        secretStoreRef: { kind: store.kind, name: store.name },
        target: { name: es.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: es.data.map((d) => ({
          secretKey: d.secretKey,
          remoteRef: { key: d.remoteKey, ...(d.property !== undefined && { property: d.property }) },
        })),
      },
    });
  }

  const podSpec = {
    serviceAccountName: saName,
    automountServiceAccountToken: needsApiToken,
    securityContext: {
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      ...(spec.securityContext?.fsGroup !== undefined && { fsGroup: spec.securityContext.fsGroup }),
    },
    containers: [container(app, spec, configName, env.outputs)],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...(spec.cronJob && { restartPolicy: 'OnFailure' }),
  };
  const podAnnotations: Record<string, string> = { ...(spec.podAnnotations ?? {}) };
  if (spec.config && Object.keys(spec.config).length > 0) podAnnotations['checksum/config'] = checksum(spec.config);
  const template = {
    metadata: { labels, ...(Object.keys(podAnnotations).length > 0 && { annotations: podAnnotations }) },
    spec: podSpec,
  };

  if (spec.cronJob) {
    const cj = spec.cronJob;
    add(chart, k8s.KubeCronJob, 'cron-job', {
      metadata: meta(app.name),
      spec: {
        schedule: cj.schedule,
        ...(cj.timeZone !== undefined && { timeZone: cj.timeZone }),
        concurrencyPolicy: cj.concurrencyPolicy ?? 'Forbid',
        successfulJobsHistoryLimit: cj.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: cj.failedJobsHistoryLimit ?? 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: cj.backoffLimit ?? 2,
            ...(cj.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: cj.activeDeadlineSeconds }),
            template: template as never,
          },
        },
      },
    });
  } else if (spec.rollout) {
    const ingressPort = spec.ingress && (spec.ports ?? []).find((p) => p.name === spec.ingress!.port)?.servicePort;
    addRollout({ chart, name: app.name, namespace: app.namespace, spec: { ...spec, rollout: spec.rollout }, env, meta, selector, template, ...(ingressPort !== undefined && { ingressServicePort: ingressPort }) });
  } else {
    add(chart, k8s.KubeDeployment, 'deployment', {
      metadata: meta(app.name),
      spec: {
        // With an HPA, the HPA owns the replica count; rendering one would fight it on every sync.
        ...(spec.autoscaling ? {} : { replicas: spec.replicas ?? 1 }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: port('25%'), maxUnavailable: port(0) } },
        template: template as never,
      },
    });
  }

  const servicePorts = (spec.ports ?? []).filter((p) => p.servicePort !== undefined);
  if (servicePorts.length > 0 && !spec.cronJob) {
    // The app's Service, and those its rollout strategy adds (the same, under other names).
    for (const name of [app.name, ...extraServiceNames(app.name, spec, env.spec)]) {
      add(chart, k8s.KubeService, name === app.name ? 'service' : `service-${name}`, {
        metadata: meta(name),
        spec: {
          type: spec.serviceType ?? 'ClusterIP',
          selector,
          ports: servicePorts.map((p) => ({ name: p.name, port: p.servicePort!, targetPort: port(p.name), protocol: p.protocol ?? 'TCP' })),
        },
      });
    }
  }

  if (spec.ingress) {
    const ing = spec.ingress;
    const target = servicePorts.find((p) => p.name === ing.port);
    if (!target) {
      throw new BridgeError({
        code: 'render',
        message: `ingress.port "${ing.port}" is not a port with a servicePort`,
        file: app.files[app.files.length - 1],
        pointer: '/spec/ingress/port',
        hint: `name one of: ${servicePorts.map((p) => p.name).join(', ') || '(no port has a servicePort)'}`,
      });
    }
    const annotations: Record<string, string> = { ...(env.spec.ingress.annotations ?? {}) };
    if (env.spec.ingress.className === 'alb') annotations['alb.ingress.kubernetes.io/scheme'] = ing.public ? 'internet-facing' : 'internal';
    Object.assign(annotations, ing.annotations ?? {});
    // A canary routed through the Ingress: its root Service on `use-annotation`, split by the action annotation.
    const routed = routedIngress(app.name, spec, env.spec, target.servicePort!);
    Object.assign(annotations, routed?.annotations ?? {});
    add(chart, k8s.KubeIngress, 'ingress', {
      metadata: meta(app.name, Object.keys(annotations).length ? { annotations } : {}),
      spec: {
        ingressClassName: env.spec.ingress.className,
        rules: [
          {
            host: ing.host,
            http: {
              paths: [{ path: ing.path ?? '/', pathType: 'Prefix', backend: { service: { name: app.name, port: routed?.port ?? { name: ing.port } } } }],
            },
          },
        ],
      },
    });
  }

  if (spec.autoscaling && !spec.cronJob) {
    const a = spec.autoscaling;
    const metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage ?? 70 } } },
      ...(a.targetMemoryUtilizationPercentage !== undefined
        ? [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.targetMemoryUtilizationPercentage } } }]
        : []),
    ];
    add(chart, k8s.KubeHorizontalPodAutoscalerV2, 'hpa', {
      metadata: meta(app.name),
      spec: {
        scaleTargetRef: scaleTarget(app.name, spec),
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics,
      },
    });
  }

  if (spec.disruptionBudget && !spec.cronJob) {
    add(chart, k8s.KubePodDisruptionBudget, 'pdb', {
      metadata: meta(app.name),
      spec: {
        selector: { matchLabels: selector },
        minAvailable: intOrPercent(spec.disruptionBudget.minAvailable),
        maxUnavailable: intOrPercent(spec.disruptionBudget.maxUnavailable),
      },
    });
  }

  if (spec.rbac?.clusterRules) {
    add(chart, k8s.KubeClusterRole, 'cluster-role', {
      metadata: { name: app.name, labels },
      rules: spec.rbac.clusterRules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs })),
    });
    add(chart, k8s.KubeClusterRoleBinding, 'cluster-role-binding', {
      metadata: { name: app.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: app.name },
      subjects: [{ kind: 'ServiceAccount', name: saName, namespace: app.namespace }],
    });
  }

  add(chart, k8s.KubeNetworkPolicy, 'network-policy', { metadata: meta(app.name), spec: networkPolicySpec(app, env) as never });

  return chart;
}

function container(app: ChartApp, spec: AppSpec, configName: string, outputs: Record<string, string>) {
  const image = spec.image.tag
    ? `${spec.image.repository}:${spec.image.tag}${spec.image.digest ? '@' + spec.image.digest : ''}`
    : `${spec.image.repository}@${spec.image.digest}`;
  const hasConfig = spec.config && Object.keys(spec.config).length > 0;
  return {
    name: app.name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ...(spec.command && { command: spec.command }),
    ...(spec.args && { args: spec.args }),
    ...(spec.ports?.length && { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })) }),
    ...(spec.env?.length && { env: spec.env.map((e) => envVar(e, outputs)) }),
    ...(hasConfig && { envFrom: [{ configMapRef: { name: configName } }] }),
    ...(spec.resources && {
      resources: {
        requests: { cpu: q(spec.resources.requests.cpu), memory: q(spec.resources.requests.memory) },
        limits: { cpu: q(spec.resources.limits.cpu), memory: q(spec.resources.limits.memory) },
      },
    }),
    ...(spec.probes?.liveness && { livenessProbe: probe(spec.probes.liveness) }),
    ...(spec.probes?.readiness && { readinessProbe: probe(spec.probes.readiness) }),
    ...(spec.probes?.startup && { startupProbe: probe(spec.probes.startup) }),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: spec.securityContext?.readOnlyRootFilesystem ?? true,
      runAsNonRoot: true,
      ...(spec.securityContext?.runAsUser !== undefined && { runAsUser: spec.securityContext.runAsUser }),
      ...(spec.securityContext?.runAsGroup !== undefined && { runAsGroup: spec.securityContext.runAsGroup }),
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function envVar(e: EnvVar, outputs: Record<string, string>) {
  if (e.value !== undefined) return { name: e.name, value: e.value };
  // The loader has checked every fromBridge key against the snapshot.
  if (e.fromBridge !== undefined) return { name: e.name, value: outputs[e.fromBridge]! };
  if (e.fromSecret) return { name: e.name, valueFrom: { secretKeyRef: { name: e.fromSecret.name, key: e.fromSecret.key } } };
  return { name: e.name, valueFrom: { fieldRef: { fieldPath: e.fromField! } } };
}

function probe(p: Probe) {
  return {
    ...(p.path !== undefined ? { httpGet: { path: p.path, port: port(p.port) } } : { tcpSocket: { port: port(p.port) } }),
    ...(p.initialDelaySeconds !== undefined && { initialDelaySeconds: p.initialDelaySeconds }),
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

function checksum(data: Record<string, string>): string {
  const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * What the app may talk to, on top of its namespace's default deny: DNS out, the ingress
 * controller in (when it has an ingress), and the peers its spec names.
 */
function networkPolicySpec(app: ChartApp, env: ChartEnv) {
  const spec = app.spec;
  const exposed = (spec.ports ?? []).filter((p) => p.servicePort !== undefined);
  const servicePorts = exposed.map((p) => ({ port: port(p.containerPort), protocol: p.protocol ?? 'TCP' }));
  const ingressPorts = exposed.filter((p) => p.name === spec.ingress?.port).map((p) => ({ port: port(p.containerPort), protocol: p.protocol ?? 'TCP' }));
  const peer = (p: NonNullable<NonNullable<AppSpec['networkPolicy']>['egressTo']>[number], pointer: string) => {
    if (p.cidr) return { ipBlock: { cidr: p.cidr } };
    let namespace = p.namespace;
    if (p.app) {
      const target = env.apps.find((a) => a.name === p.app);
      if (!target && !p.namespace) {
        throw new BridgeError({
          code: 'unknown-reference',
          message: `networkPolicy names app "${p.app}", which is not deployed in environment "${env.name}"`,
          file: app.files[0],
          pointer,
          hint: `give its namespace too, or use one of: ${env.apps.map((a) => a.name).join(', ')}`,
        });
      }
      namespace = p.namespace ?? target!.namespace;
    }
    return {
      ...(namespace !== undefined && { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }),
      ...(p.app !== undefined && { podSelector: { matchLabels: { 'app.kubernetes.io/name': p.app } } }),
    };
  };
  type PeerPorts = NonNullable<NonNullable<AppSpec['networkPolicy']>['egressTo']>[number]['ports'];
  /**
   * A peer's ports as policy ports. A bare number in ingressFrom opens this app's container
   * port of that number with its protocol (each protocol it is declared with); elsewhere TCP.
   */
  const portsOf = (ports: PeerPorts, own: boolean) =>
    ports?.flatMap((p) => {
      if (typeof p !== 'number') return [{ port: port(p.port), protocol: p.protocol ?? 'TCP' }];
      const declared = own ? [...new Set((spec.ports ?? []).filter((c) => c.containerPort === p).map((c) => c.protocol ?? 'TCP'))] : [];
      return (declared.length > 0 ? declared : ['TCP']).map((protocol) => ({ port: port(p), protocol }));
    });

  const ingress: object[] = [];
  if (spec.ingress) {
    ingress.push({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': env.spec.ingress.controllerNamespace } },
          podSelector: { matchLabels: env.spec.ingress.controllerPodLabels },
        },
      ],
      ports: ingressPorts,
    });
  }
  (spec.networkPolicy?.ingressFrom ?? []).forEach((p, i) => {
    const ports = portsOf(p.ports, true) ?? servicePorts;
    ingress.push({ from: [peer(p, `/spec/networkPolicy/ingressFrom/${i}`)], ...(ports.length > 0 && { ports }) });
  });

  const egress: object[] = [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { port: port(53), protocol: 'UDP' },
        { port: port(53), protocol: 'TCP' },
      ],
    },
  ];
  // With EKS Pod Identity the SDK fetches its credentials from the node's agent (link-local
  // 169.254.170.23, port 80), which the namespace's default deny would otherwise block.
  if (spec.serviceAccount?.aws && identityOf(spec.serviceAccount.aws) === 'pod-identity') {
    egress.push({ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ port: port(80), protocol: 'TCP' }] });
  }
  (spec.networkPolicy?.egressTo ?? []).forEach((p, i) => {
    const ports = portsOf(p.ports, false);
    egress.push({ to: [peer(p, `/spec/networkPolicy/egressTo/${i}`)], ...(ports && { ports }) });
  });

  return { podSelector: { matchLabels: selectorLabels(app) }, policyTypes: ['Ingress', 'Egress'], ingress, egress };
}
