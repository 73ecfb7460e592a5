// A chart written by the team with cdk8s-plus-33 L2 constructs (see the README, "Charts written
// by the team"). It renders like every other app: labels, sync waves, the strict schema check and
// the policies apply to what it builds.
import { Duration, type Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { k8s } from 'cdk8s-plus-33';
import type { ChartContext } from '../../../generators/sources/chart-context.js';
import { statusPageSettings } from './settings.js';

export default function statusPage(chart: Chart, ctx: ChartContext): void {
  const settings = statusPageSettings(ctx.environment.tier);

  const config = new kplus.ConfigMap(chart, 'config', {
    metadata: { name: 'status-page-config' },
    data: {
      CLUSTER_NAME: ctx.bridge('aws_cluster_name'),
      AWS_REGION: ctx.bridge('aws_region'),
      PUBLIC_URL: `https://status.${ctx.environment.domain}`,
    },
  });

  const selector = { 'app.kubernetes.io/name': ctx.app.name };
  const deployment = new kplus.Deployment(chart, 'web', {
    metadata: { name: 'status-page' },
    replicas: settings.replicas,
    // Select by the standard name label rather than cdk8s's generated one.
    select: false,
    podMetadata: { labels: selector },
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'web',
        image: 'ghcr.io/example-shop/status-page:2.3.1',
        portNumber: 8080,
        envFrom: [kplus.Env.fromConfigMap(config)],
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
          memory: { request: settings.memory, limit: settings.memory },
        },
        readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, periodSeconds: Duration.seconds(10) }),
        liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, initialDelaySeconds: Duration.seconds(15) }),
        securityContext: { ensureNonRoot: true, readOnlyRootFilesystem: true, user: 10001, group: 10001 },
      },
    ],
  });

  deployment.select(kplus.LabelSelector.of({ labels: selector }));

  deployment.exposeViaService({ name: 'status-page', ports: [{ port: 80, targetPort: 8080 }] });

  // The namespace denies all traffic by default (the namespaces unit): let the page be reached.
  new k8s.KubeNetworkPolicy(chart, 'allow-http', {
    metadata: { name: 'status-page-allow-http' },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: k8s.IntOrString.fromNumber(8080), protocol: 'TCP' }] }],
    },
  });

  if (settings.replicas > 1) {
    new k8s.KubePodDisruptionBudget(chart, 'pdb', {
      metadata: { name: 'status-page' },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
}
