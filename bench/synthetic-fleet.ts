/**
 * A synthetic fleet in the real spec format, for `npm run bench`: N apps x M environments,
 * apps grouped ten to a team namespace, each with a Deployment, Service, ConfigMap,
 * ServiceAccount and NetworkPolicy (about 5 resources per app and environment), overlays
 * holding only per-environment differences. Deterministic: the same sizes give the same files.
 *
 * With `{ mix: true }`, a fifth of the apps are Kustomize apps and a fifth chart apps, the same
 * five objects each written the way a team would write them in that form (appKind says which
 * app is which; app 0, the one the bench changes, stays a spec app):
 * - a Kustomize app (index 3 mod 5): base/ with the resources, a configMapGenerator, an images
 *   tag, labels and the team namespace, a ServiceAccount annotated with `${bridge.*}` values; an
 *   overlay for dev (replicas, a merged generator) and for prod (replicas, another image tag, a
 *   strategic-merge patch, a PodDisruptionBudget); staging builds the base as is;
 * - a chart app (index 4 mod 5): chart.ts with cdk8s-plus-33 L2 constructs (ConfigMap,
 *   Deployment, Service) and an L1 NetworkPolicy, reading ctx.bridge and ctx.environment, and
 *   importing the shared helper manifests/lib/bench-chart.ts (CHART_HELPER), so a change there
 *   compiles every chart anew.
 * Without the option the files are byte for byte those of the spec-only fleet.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.js';

export interface FleetSize {
  apps: number;
  envs: number;
}

export interface FleetOptions {
  /** A fifth of the apps as Kustomize apps, a fifth as chart apps (appKind). */
  mix?: boolean;
}

export type AppKind = 'spec' | 'kustomize' | 'chart';

/** What app `i` is: a spec app, unless the fleet is mixed (every fifth app from index 3 a Kustomize app, from index 4 a chart app). */
export const appKind = (i: number, options: FleetOptions = {}): AppKind => (!options.mix ? 'spec' : i % 5 === 3 ? 'kustomize' : i % 5 === 4 ? 'chart' : 'spec');

/** The helper module every chart of a mixed fleet imports (relative to the project root). */
export const CHART_HELPER = 'manifests/lib/bench-chart.ts';

export const envName = (i: number) => ['dev', 'staging', 'prod'][i] ?? `env${i}`;
export const appName = (i: number) => `svc-${String(i).padStart(4, '0')}`;
const teamOf = (i: number) => `team-${String(Math.floor(i / 10)).padStart(3, '0')}`;

/** Path (relative to the project root) -> content. */
export function syntheticFleet(size: FleetSize, variant = 0, options: FleetOptions = {}): Map<string, string> {
  const files = new Map<string, string>();
  const snapshot = JSON.parse(readFileSync(join(repoRoot, 'infra/outputs/dev.json'), 'utf8')) as Record<string, string>;
  const envTemplate = readFileSync(join(repoRoot, 'manifests/environments/dev.yaml'), 'utf8');
  for (let e = 0; e < size.envs; e++) {
    const env = envName(e);
    files.set(
      `manifests/environments/${env}.yaml`,
      envTemplate
        .replace(/name: dev\n/, `name: ${env}\n`)
        .replace(/tier: development/, e === 2 ? 'tier: production' : 'tier: development')
        .replace(/domain: dev\./, `domain: ${env}.`)
        .replace(/  addons:\n(    - .*\n)+/, '')
    );
    const endpoint = `https://BENCH${String(e).padStart(4, '0')}.gr7.eu-west-1.eks.amazonaws.com`;
    files.set(`infra/outputs/${env}.json`, JSON.stringify({ ...snapshot, aws_cluster_name: `bench-${env}`, cluster_endpoint: endpoint }, null, 2) + '\n');
  }
  files.set('manifests/argocd.yaml', readFileSync(join(repoRoot, 'manifests/argocd.yaml'), 'utf8'));
  if (options.mix && size.apps > 4) files.set(CHART_HELPER, chartHelper());
  for (let a = 0; a < size.apps; a++) {
    const name = appName(a);
    const kind = appKind(a, options);
    if (kind === 'kustomize') {
      for (const [f, c] of kustomizeApp(name, teamOf(a), size)) files.set(`manifests/apps/${name}/${f}`, c);
      continue;
    }
    if (kind === 'chart') {
      files.set(`manifests/apps/${name}/chart.ts`, chartApp(name));
      continue;
    }
    const tag = a === 0 && variant > 0 ? `1.${variant}.0` : '1.0.0';
    files.set(
      `manifests/apps/${name}/app.yaml`,
      `apiVersion: gitops-bridge.dev/v1alpha1
kind: App
metadata:
  name: ${name}
spec:
  team: ${teamOf(a)}
  partOf: bench
  namespace: ${teamOf(a)}
  image:
    repository: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/bench/${name}
    tag: ${tag}
  replicas: 2
  ports:
    - name: http
      containerPort: 8080
      servicePort: 80
  env:
    - name: AWS_REGION
      fromBridge: aws_region
  config:
    LOG_LEVEL: info
    SERVICE_NAME: ${name}
  resources:
    requests: { cpu: 100m, memory: 128Mi }
    limits: { cpu: 500m, memory: 256Mi }
  probes:
    readiness: { path: /ready, port: http }
    liveness: { path: /live, port: http }
  networkPolicy:
    egressTo:
      - cidr: 10.0.0.0/8
        ports: [443]
`,
    );
    for (let e = 0; e < size.envs; e++) {
      const env = envName(e);
      if (env === 'staging') continue; // environments without an overlay use the base as is
      files.set(
        `manifests/apps/${name}/overlays/${env}.yaml`,
        `apiVersion: gitops-bridge.dev/v1alpha1
kind: AppOverlay
metadata:
  name: ${name}
  environment: ${env}
spec:
  replicas: ${env === 'prod' ? 3 : 1}
  config:
    LOG_LEVEL: ${env === 'prod' ? 'warn' : 'debug'}
${env === 'prod' ? '  disruptionBudget:\n    maxUnavailable: 1\n' : ''}`,
      );
    }
  }
  return files;
}

/** A Kustomize app's files, relative to its directory. */
function kustomizeApp(name: string, team: string, size: FleetSize): Map<string, string> {
  const files = new Map<string, string>();
  const image = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/bench/${name}`;
  files.set(
    'base/kustomization.yaml',
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${team}
resources:
  - serviceaccount.yaml
  - deployment.yaml
  - service.yaml
  - networkpolicy.yaml
labels:
  - pairs:
      app.kubernetes.io/part-of: bench
      team: ${team}
    includeSelectors: false
    includeTemplates: true
images:
  - name: ${image}
    newTag: 1.0.0
configMapGenerator:
  - name: ${name}-config
    literals:
      - LOG_LEVEL=info
      - SERVICE_NAME=${name}
      - CLUSTER_NAME=\${bridge.aws_cluster_name}
      - ENVIRONMENT=\${env.name}
`,
  );
  files.set(
    'base/serviceaccount.yaml',
    `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::\${bridge.aws_account_id}:role/\${bridge.aws_cluster_name}-${name}
    eks.amazonaws.com/sts-regional-endpoints: "true"
    bench.example.com/region: \${bridge.aws_region}
automountServiceAccountToken: false
`,
  );
  files.set(
    'base/deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      serviceAccountName: ${name}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ${name}
          image: ${image}:0.0.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: AWS_REGION
              value: \${bridge.aws_region}
          envFrom:
            - configMapRef:
                name: ${name}-config
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: 500m, memory: 256Mi }
          readinessProbe:
            httpGet: { path: /ready, port: http }
          livenessProbe:
            httpGet: { path: /live, port: http }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
`,
  );
  files.set(
    'base/service.yaml',
    `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`,
  );
  files.set(
    'base/networkpolicy.yaml',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - ports:
        - port: 8080
          protocol: TCP
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
      ports:
        - port: 443
          protocol: TCP
`,
  );
  for (let e = 0; e < size.envs; e++) {
    const env = envName(e);
    if (env === 'staging') continue; // builds the base as is
    const prod = env === 'prod';
    files.set(
      `overlays/${env}/kustomization.yaml`,
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
${prod ? '  - pdb.yaml\n' : ''}replicas:
  - name: ${name}
    count: ${prod ? 3 : 1}
configMapGenerator:
  - name: ${name}-config
    behavior: merge
    literals:
      - LOG_LEVEL=${prod ? 'warn' : 'debug'}
${
  prod
    ? `images:
  - name: ${image}
    newTag: 1.0.1
patches:
  - path: deployment-production.yaml
`
    : ''
}`,
    );
    if (!prod) continue;
    files.set(
      `overlays/${env}/deployment-production.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: ${name}
      containers:
        - name: ${name}
          resources:
            limits:
              memory: 512Mi
            requests:
              memory: 256Mi
`,
    );
    files.set(
      `overlays/${env}/pdb.yaml`,
      `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
`,
    );
  }
  return files;
}

/** The helper module the charts of a mixed fleet share (CHART_HELPER). */
function chartHelper(): string {
  return `// Shared by the bench's charts: what differs between tiers, and the container defaults.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';

export interface Sizing {
  replicas: number;
  memory: Size;
}

export function sizing(tier: string): Sizing {
  return tier === 'production' ? { replicas: 3, memory: Size.mebibytes(256) } : { replicas: 1, memory: Size.mebibytes(128) };
}

export function hardened(): kplus.ContainerSecurityContextProps {
  return { ensureNonRoot: true, readOnlyRootFilesystem: true, user: 10001, group: 10001 };
}
`;
}

/** A chart app's chart.ts. */
function chartApp(name: string): string {
  return `// A chart written by the team with cdk8s-plus-33 L2 constructs.
import { Duration, type Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { k8s } from 'cdk8s-plus-33';
import type { ChartContext } from '../../../generators/sources/chart-context.js';
import { hardened, sizing } from '../../lib/bench-chart.js';

export default function chart(chart: Chart, ctx: ChartContext): void {
  const size = sizing(ctx.environment.tier);
  const config = new kplus.ConfigMap(chart, 'config', {
    metadata: { name: '${name}-config' },
    data: {
      LOG_LEVEL: ctx.environment.tier === 'production' ? 'warn' : 'debug',
      SERVICE_NAME: '${name}',
      CLUSTER_NAME: ctx.bridge('aws_cluster_name'),
      AWS_REGION: ctx.bridge('aws_region'),
      PUBLIC_URL: \`https://${name}.\${ctx.environment.domain}\`,
    },
  });
  const selector = { 'app.kubernetes.io/name': ctx.app.name };
  const deployment = new kplus.Deployment(chart, 'web', {
    metadata: { name: '${name}' },
    replicas: size.replicas,
    select: false,
    podMetadata: { labels: selector },
    automountServiceAccountToken: false,
    containers: [
      {
        name: '${name}',
        image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/bench/${name}:1.0.0',
        portNumber: 8080,
        envFrom: [kplus.Env.fromConfigMap(config)],
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
          memory: { request: size.memory, limit: size.memory },
        },
        readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(10) }),
        liveness: kplus.Probe.fromHttpGet('/live', { port: 8080 }),
        securityContext: hardened(),
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  deployment.exposeViaService({ name: '${name}', ports: [{ port: 80, targetPort: 8080 }] });
  new k8s.KubeNetworkPolicy(chart, 'allow-http', {
    metadata: { name: '${name}-allow-http' },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: k8s.IntOrString.fromNumber(8080), protocol: 'TCP' }] }],
    },
  });
  if (size.replicas > 1) {
    new k8s.KubePodDisruptionBudget(chart, 'pdb', {
      metadata: { name: '${name}' },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
}
`;
}

export function writeFiles(root: string, files: Map<string, string>): void {
  for (const [path, content] of files) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}
