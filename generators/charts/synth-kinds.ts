/**
 * The kinds and fields that synth.ts's fast path covers, and what cdk8s does to each field when
 * it synthesises it: cdk8s-plus-33's generated converters (toJson_*) rebuild every typed object
 * key by key, so a field they do not know is dropped and some are renamed (`ref` -> `$ref`,
 * `clusterIp` -> `clusterIP`...). A field listed here is one the converter passes through under
 * its own name; anything else (another kind, another field) makes the fast path hand the chart
 * to cdk8s. test/render/synth.test.ts builds every kind below with every field filled in and
 * compares with cdk8s's own toJson(): adding a field here without it passing that test is not
 * possible. Only what the charts use is listed. Pure data.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from './object.js';

/** What the converter does with a field's value. */
export type Field =
  /** Passed through as cdk8s resolved and sanitised it (a typed scalar, an untyped value, a plain ApiObject's body). */
  | { readonly t: 'as-is' }
  /** An IntOrString or Quantity: its value. */
  | { readonly t: 'union' }
  | { readonly t: 'list'; readonly of: Field }
  /** A map with any keys. */
  | { readonly t: 'map'; readonly of: Field }
  /** A typed object: only these fields. */
  | { readonly t: 'object'; readonly fields: ReadonlyMap<string, Field> };

export const AS_IS: Field = { t: 'as-is' };
export const UNION: Field = { t: 'union' };
const list = (of: Field): Field => ({ t: 'list', of });
const map = (of: Field): Field => ({ t: 'map', of });
const object = (fields: Record<string, Field>): Field => ({ t: 'object', fields: new Map(Object.entries(fields)) });
/** A typed object whose fields are all scalars. */
const scalars = (...names: string[]): Field => object(Object.fromEntries(names.map((n) => [n, AS_IS])));
const strings = list(AS_IS);

const objectMeta = object({ name: AS_IS, namespace: AS_IS, labels: map(AS_IS), annotations: map(AS_IS) });
const labelSelector = object({ matchLabels: map(AS_IS) });
const probe = object({
  httpGet: object({ path: AS_IS, port: UNION }),
  tcpSocket: object({ port: UNION }),
  initialDelaySeconds: AS_IS,
  periodSeconds: AS_IS,
  timeoutSeconds: AS_IS,
  failureThreshold: AS_IS,
});
const container = object({
  name: AS_IS,
  image: AS_IS,
  imagePullPolicy: AS_IS,
  command: strings,
  args: strings,
  ports: list(scalars('name', 'containerPort', 'protocol')),
  env: list(object({ name: AS_IS, value: AS_IS, valueFrom: object({ secretKeyRef: scalars('name', 'key'), fieldRef: scalars('fieldPath') }) })),
  envFrom: list(object({ configMapRef: scalars('name') })),
  resources: object({ requests: map(UNION), limits: map(UNION) }),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  securityContext: object({
    allowPrivilegeEscalation: AS_IS,
    readOnlyRootFilesystem: AS_IS,
    runAsNonRoot: AS_IS,
    runAsUser: AS_IS,
    runAsGroup: AS_IS,
    capabilities: object({ drop: strings }),
  }),
  volumeMounts: list(scalars('name', 'mountPath')),
});
const podTemplate = object({
  metadata: object({ labels: map(AS_IS), annotations: map(AS_IS) }),
  spec: object({
    serviceAccountName: AS_IS,
    automountServiceAccountToken: AS_IS,
    securityContext: object({ runAsNonRoot: AS_IS, seccompProfile: scalars('type'), fsGroup: AS_IS }),
    containers: list(container),
    volumes: list(object({ name: AS_IS, emptyDir: object({}) })),
    restartPolicy: AS_IS,
  }),
});
const peer = object({ ipBlock: scalars('cidr'), namespaceSelector: labelSelector, podSelector: labelSelector });
const policyPorts = list(object({ port: UNION, protocol: AS_IS }));

/** A kind cdk8s synthesises through a converter: its props (besides apiVersion and kind). */
const kube = (fields: Record<string, Field>) => object({ metadata: objectMeta, ...fields });

/**
 * By class: the generated k8s classes, and cdk8s's plain ApiObject (no converter: its whole body,
 * metadata included, is what cdk8s resolved and sanitised).
 */
export const FAST_KINDS: ReadonlyMap<Function, Field> = new Map<Function, Field>([
  [ApiObject, map(AS_IS)],
  [k8s.KubeServiceAccount, kube({ automountServiceAccountToken: AS_IS })],
  [k8s.KubeConfigMap, kube({ data: map(AS_IS) })],
  [
    k8s.KubeDeployment,
    kube({
      spec: object({
        replicas: AS_IS,
        revisionHistoryLimit: AS_IS,
        selector: labelSelector,
        strategy: object({ type: AS_IS, rollingUpdate: object({ maxSurge: UNION, maxUnavailable: UNION }) }),
        template: podTemplate,
      }),
    }),
  ],
  [
    k8s.KubeCronJob,
    kube({
      spec: object({
        schedule: AS_IS,
        timeZone: AS_IS,
        concurrencyPolicy: AS_IS,
        successfulJobsHistoryLimit: AS_IS,
        failedJobsHistoryLimit: AS_IS,
        jobTemplate: object({
          metadata: object({ labels: map(AS_IS) }),
          spec: object({ backoffLimit: AS_IS, activeDeadlineSeconds: AS_IS, template: podTemplate }),
        }),
      }),
    }),
  ],
  [k8s.KubeService, kube({ spec: object({ type: AS_IS, selector: map(AS_IS), ports: list(object({ name: AS_IS, port: AS_IS, targetPort: UNION, protocol: AS_IS })) }) })],
  [
    k8s.KubeIngress,
    kube({
      spec: object({
        ingressClassName: AS_IS,
        rules: list(
          object({
            host: AS_IS,
            http: object({
              paths: list(object({ path: AS_IS, pathType: AS_IS, backend: object({ service: object({ name: AS_IS, port: scalars('name', 'number') }) }) })),
            }),
          }),
        ),
      }),
    }),
  ],
  [
    k8s.KubeHorizontalPodAutoscalerV2,
    kube({
      spec: object({
        scaleTargetRef: scalars('apiVersion', 'kind', 'name'),
        minReplicas: AS_IS,
        maxReplicas: AS_IS,
        metrics: list(object({ type: AS_IS, resource: object({ name: AS_IS, target: scalars('type', 'averageUtilization') }) })),
      }),
    }),
  ],
  [k8s.KubePodDisruptionBudget, kube({ spec: object({ selector: labelSelector, minAvailable: UNION, maxUnavailable: UNION }) })],
  [k8s.KubeClusterRole, kube({ rules: list(object({ apiGroups: strings, resources: strings, verbs: strings })) })],
  [k8s.KubeClusterRoleBinding, kube({ roleRef: scalars('apiGroup', 'kind', 'name'), subjects: list(scalars('kind', 'name', 'namespace')) })],
  [
    k8s.KubeNetworkPolicy,
    kube({
      spec: object({
        podSelector: labelSelector,
        policyTypes: strings,
        ingress: list(object({ from: list(peer), ports: policyPorts })),
        egress: list(object({ to: list(peer), ports: policyPorts })),
      }),
    }),
  ],
  [k8s.KubeNamespace, kube({})],
  [k8s.KubeResourceQuota, kube({ spec: object({ hard: map(UNION) }) })],
  [k8s.KubeLimitRange, kube({ spec: object({ limits: list(object({ type: AS_IS, default: map(UNION), defaultRequest: map(UNION) })) }) })],
]);
