/**
 * The cluster-metadata ConfigMap of one environment: the bridge keys plus `environment`, all
 * strings, in argocd, labelled for gitops-bridge. Pure.
 */
import { App, Chart } from 'cdk8s';
import { MANAGED_BY } from '../charts/labels.js';
import { k8s, type KubeObject } from '../charts/object.js';
import { add, synth } from '../charts/synth.js';

export const CLUSTER_METADATA_NAME = 'cluster-metadata';
export const ARGOCD_NAMESPACE = 'argocd';

export function clusterMetadataObjects(env: { name: string; outputs: Record<string, string> }): KubeObject[] {
  return synth(clusterMetadataChart(env));
}

/** The cluster-metadata chart, built (synthesised by clusterMetadataObjects). */
export function clusterMetadataChart(env: { name: string; outputs: Record<string, string> }): Chart {
  const chart = new Chart(new App(), CLUSTER_METADATA_NAME, { disableResourceNameHashes: true });
  add(chart, k8s.KubeConfigMap, 'config-map', {
    metadata: {
      name: CLUSTER_METADATA_NAME,
      namespace: ARGOCD_NAMESPACE,
      labels: { 'gitops-bridge': 'true', 'app.kubernetes.io/managed-by': MANAGED_BY, environment: env.name },
    },
    data: { ...env.outputs, environment: env.name },
  });
  return chart;
}
