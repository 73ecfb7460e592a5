/**
 * A synthetic fleet in the real spec format, for `npm run bench`: N apps x M environments,
 * apps grouped ten to a team namespace, each with a Deployment, Service, ConfigMap,
 * ServiceAccount and NetworkPolicy (about 5 resources per app and environment), overlays
 * holding only per-environment differences. Deterministic: the same sizes give the same files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.js';

export interface FleetSize {
  apps: number;
  envs: number;
}

export const envName = (i: number) => ['dev', 'staging', 'prod'][i] ?? `env${i}`;
export const appName = (i: number) => `svc-${String(i).padStart(4, '0')}`;
const teamOf = (i: number) => `team-${String(Math.floor(i / 10)).padStart(3, '0')}`;

/** Path (relative to the project root) -> content. */
export function syntheticFleet(size: FleetSize, variant = 0): Map<string, string> {
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
  for (let a = 0; a < size.apps; a++) {
    const name = appName(a);
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

export function writeFiles(root: string, files: Map<string, string>): void {
  for (const [path, content] of files) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}
