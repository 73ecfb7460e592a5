/**
 * The synthetic fleet of synthetic-fleet.ts written the way a team would write it for Kustomize:
 * one base per app (ServiceAccount, ConfigMap, Deployment, Service, NetworkPolicy, with the
 * labels, security context and sync waves gitops-bridge renders) and one overlay per app and
 * environment (namespace, the environment's labels, replicas and LOG_LEVEL patches, a
 * PodDisruptionBudget in prod), plus per environment the team namespaces (Namespace,
 * ResourceQuota, LimitRange, default-deny NetworkPolicy) and the cluster-metadata ConfigMap.
 * `kubectl kustomize <dir>/<env>` builds one environment: one process per environment.
 *
 * The same objects as `render` writes for <env>/<app>, namespaces and cluster-metadata (not the
 * Argo CD hub, which Kustomize has no equivalent for), give or take Kustomize's own formatting.
 */
import { appName, envName, type FleetSize } from './synthetic-fleet.js';

const teamOf = (i: number) => `team-${String(Math.floor(i / 10)).padStart(3, '0')}`;

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';

function base(app: string, team: string): Map<string, string> {
  const labels = (indent: string) =>
    [
      `app.kubernetes.io/component: service`,
      `app.kubernetes.io/managed-by: gitops-bridge`,
      `app.kubernetes.io/name: ${app}`,
      `app.kubernetes.io/part-of: bench`,
      `app.kubernetes.io/version: 1.0.0`,
      `team: ${team}`,
    ]
      .map((l) => indent + l)
      .join('\n');
  const meta = (name: string, wave: string) => `metadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: '${wave}'\n  labels:\n${labels('    ')}\n`;
  const files = new Map<string, string>();
  files.set('serviceaccount.yaml', `apiVersion: v1\nkind: ServiceAccount\n${meta(app, '-1')}automountServiceAccountToken: false\n`);
  files.set('configmap.yaml', `apiVersion: v1\nkind: ConfigMap\n${meta(`${app}-config`, '-1')}data:\n  LOG_LEVEL: info\n  SERVICE_NAME: ${app}\n`);
  files.set(
    'deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
${meta(app, '1')}spec:
  replicas: 2
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
    type: RollingUpdate
  template:
    metadata:
      labels:
${labels('        ')}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: ${app}
          env:
            - name: AWS_REGION
              value: eu-west-1
          envFrom:
            - configMapRef:
                name: ${app}-config
          image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/bench/${app}:1.0.0
          imagePullPolicy: IfNotPresent
          livenessProbe:
            failureThreshold: 3
            httpGet:
              path: /live
              port: http
            periodSeconds: 10
            timeoutSeconds: 1
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          readinessProbe:
            failureThreshold: 3
            httpGet:
              path: /ready
              port: http
            periodSeconds: 10
            timeoutSeconds: 1
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
            requests:
              cpu: 100m
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop:
                - ALL
            readOnlyRootFilesystem: true
            runAsNonRoot: true
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      serviceAccountName: ${app}
      volumes:
        - name: tmp
          emptyDir: {}
`,
  );
  files.set(
    'service.yaml',
    `apiVersion: v1
kind: Service
${meta(app, '1')}spec:
  ports:
    - name: http
      port: 80
      protocol: TCP
      targetPort: http
  selector:
    app.kubernetes.io/name: ${app}
  type: ClusterIP
`,
  );
  files.set(
    'networkpolicy.yaml',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
${meta(app, '-1')}spec:
  egress:
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
      to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
    - ports:
        - port: 443
          protocol: TCP
      to:
        - ipBlock:
            cidr: 10.0.0.0/8
  ingress: []
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  policyTypes:
    - Ingress
    - Egress
`,
  );
  files.set('kustomization.yaml', `${KUSTOMIZATION}resources:\n${[...files.keys()].map((f) => `  - ${f}`).join('\n')}\n`);
  return files;
}

function overlay(app: string, team: string, env: string): Map<string, string> {
  const files = new Map<string, string>();
  const prod = env === 'prod';
  const patches: string[] = [];
  if (env !== 'staging') {
    patches.push(`  - target:
      kind: Deployment
      name: ${app}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: ${prod ? 3 : 1}
  - patch: |-
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: ${app}-config
      data:
        LOG_LEVEL: ${prod ? 'warn' : 'debug'}`);
  }
  if (prod) {
    files.set(
      'pdb.yaml',
      `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${app}
  annotations:
    argocd.argoproj.io/sync-wave: '1'
  labels:
    app.kubernetes.io/component: service
    app.kubernetes.io/managed-by: gitops-bridge
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: bench
    app.kubernetes.io/version: 1.0.0
    team: ${team}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
`,
    );
  }
  files.set(
    'kustomization.yaml',
    `${KUSTOMIZATION}namespace: ${team}
resources:
  - ../../base
${prod ? '  - pdb.yaml\n' : ''}labels:
  - pairs:
      app.kubernetes.io/instance: ${app}-${env}
    includeSelectors: true
  - pairs:
      environment: ${env}
    includeTemplates: true
${patches.length ? `patches:\n${patches.join('\n')}\n` : ''}`,
  );
  return files;
}

function namespaces(team: string, env: string): Map<string, string> {
  const labels = `    app.kubernetes.io/managed-by: gitops-bridge\n    environment: ${env}\n    team: ${team}\n`;
  const files = new Map<string, string>();
  files.set(
    `${team}.yaml`,
    `apiVersion: v1
kind: Namespace
metadata:
  name: ${team}
  annotations:
    argocd.argoproj.io/sync-wave: '-2'
  labels:
${labels}    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: ${team}-quota
  namespace: ${team}
  annotations:
    argocd.argoproj.io/sync-wave: '-1'
  labels:
${labels}spec:
  hard:
    limits.cpu: '8'
    limits.memory: 16Gi
    pods: 40
    requests.cpu: '4'
    requests.memory: 8Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: ${team}-limits
  namespace: ${team}
  annotations:
    argocd.argoproj.io/sync-wave: '-1'
  labels:
${labels}spec:
  limits:
    - default:
        cpu: 500m
        memory: 512Mi
      defaultRequest:
        cpu: 100m
        memory: 128Mi
      type: Container
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${team}-default-deny
  namespace: ${team}
  annotations:
    argocd.argoproj.io/sync-wave: '-1'
  labels:
${labels}spec:
  podSelector: {}
  policyTypes:
    - Ingress
    - Egress
`,
  );
  return files;
}

/** Path (relative to the Kustomize root) -> content; `kubectl kustomize <root>/<env>` builds an environment. */
export function kustomizeFleet(size: FleetSize): Map<string, string> {
  const files = new Map<string, string>();
  const envs = Array.from({ length: size.envs }, (_, e) => envName(e));
  for (let a = 0; a < size.apps; a++) {
    const app = appName(a);
    const team = teamOf(a);
    for (const [f, c] of base(app, team)) files.set(`apps/${app}/base/${f}`, c);
    for (const env of envs) for (const [f, c] of overlay(app, team, env)) files.set(`apps/${app}/overlays/${env}/${f}`, c);
  }
  const teams = [...new Set(Array.from({ length: size.apps }, (_, a) => teamOf(a)))];
  for (const env of envs) {
    const nsFiles: string[] = [];
    for (const team of teams) {
      for (const [f, c] of namespaces(team, env)) {
        files.set(`${env}/namespaces/${f}`, c);
        nsFiles.push(f);
      }
    }
    files.set(`${env}/namespaces/kustomization.yaml`, `${KUSTOMIZATION}resources:\n${nsFiles.map((f) => `  - ${f}`).join('\n')}\n`);
    files.set(
      `${env}/cluster-metadata.yaml`,
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-metadata
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: '-1'
  labels:
    app.kubernetes.io/managed-by: gitops-bridge
    environment: ${env}
    gitops-bridge: 'true'
data:
  aws_cluster_name: bench-${env}
  aws_region: eu-west-1
  environment: ${env}
`,
    );
    const apps = Array.from({ length: size.apps }, (_, a) => `  - ../apps/${appName(a)}/overlays/${env}`);
    files.set(`${env}/kustomization.yaml`, `${KUSTOMIZATION}resources:\n  - cluster-metadata.yaml\n  - namespaces\n${apps.join('\n')}\n`);
  }
  return files;
}
