/** Where pods hide in workload objects (Argo Rollouts' Rollout included), and their containers. */
import type { KubeObject } from '../../charts/object.js';

export type Json = Record<string, unknown>;

export interface PodTemplate {
  /** Pointer to the pod spec. */
  pointer: string;
  spec: Json;
  /** Pointer to the pod metadata and its labels (the template's, or the Pod's own). */
  metadataPointer: string;
  labels: Record<string, string>;
}

export interface ContainerRef {
  pointer: string;
  container: Json;
  init: boolean;
}

/** Path from a workload object to its pod template, by kind. */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
  // Argo Rollouts: a Deployment's pod template under another kind.
  Rollout: ['spec', 'template'],
};

/** Kinds that run pods for as long as they exist (as opposed to Jobs). */
export const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout']);

export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function get(v: unknown, ...path: (string | number)[]): unknown {
  let x = v;
  for (const seg of path) {
    if (x === null || typeof x !== 'object') return undefined;
    x = (x as Record<string | number, unknown>)[seg];
  }
  return x;
}

export function podTemplatesOf(object: KubeObject): PodTemplate[] {
  if (object.kind === 'Pod') {
    return isObject(object.spec)
      ? [{ pointer: '/spec', spec: object.spec, metadataPointer: '/metadata', labels: object.metadata.labels ?? {} }]
      : [];
  }
  const path = TEMPLATE_PATHS[object.kind];
  if (!path) return [];
  const template = get(object, ...path);
  const spec = get(template, 'spec');
  if (!isObject(spec)) return [];
  const base = '/' + path.join('/');
  const labels = get(template, 'metadata', 'labels');
  return [{ pointer: `${base}/spec`, spec, metadataPointer: `${base}/metadata`, labels: isObject(labels) ? (labels as Record<string, string>) : {} }];
}

export function containersOf(pod: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const [list, init] of [['initContainers', true], ['containers', false]] as const) {
    const items = pod.spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      if (isObject(c)) out.push({ pointer: `${pod.pointer}/${list}/${i}`, container: c, init });
    });
  }
  return out;
}

/** A container's name for messages. */
export function nameOf(c: ContainerRef): string {
  return `${c.init ? 'init container' : 'container'} "${String(c.container.name ?? '?')}"`;
}

/**
 * Whether a label selector (matchLabels and matchExpressions) picks these labels: `{}` picks
 * every pod, a missing selector none (policy/v1 and networking semantics).
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of expressions) {
    if (!isObject(e)) return false;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok =
      e.operator === 'In' ? has && values.includes(labels[key]!) :
      e.operator === 'NotIn' ? !has || !values.includes(labels[key]!) :
      e.operator === 'Exists' ? has :
      e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}
