/**
 * Object metadata and size as the API server validates them (Kubernetes 1.33 ObjectMeta
 * validation): the name by its kind's rule, the namespace, label keys and values, annotation keys
 * and their total size, in the object's own metadata and in the metadata it embeds (pod and job
 * templates, volume claim templates); label selectors; and the size of the whole object.
 *
 * The whole-object limit is the bridge's figure, not an API-server rule: 1,048,576 bytes of JSON
 * (etcd refuses requests over 1.5 MiB by default, and the cluster adds managedFields and status).
 * ConfigMaps and Secrets are held to the API server's own limit on their data instead (1 MiB of
 * values), which leaves room for their metadata under etcd's. Measuring JSON.stringify on
 * every object costs about 15 ms per 1,000 objects on these machines, so a walk first bounds the
 * size from above (about 1 ms per 1,000) and only an object that might be near the limit is
 * serialised. Pure.
 */
import type { KubeObject } from '../../charts/object.js';
import { pointerSegment } from '../../core/errors.js';
import { get, isObject, type Json } from '../policies/pods.js';
import type { Finding } from '../policies/types.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, LABEL_MAX, pathSegmentName, qualifiedName } from './formats.js';

/** The API server's limit on an object's annotations: keys and values, 256 KiB. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** The bridge's limit on a whole object, serialised as JSON. */
export const OBJECT_MAX_BYTES = 1024 * 1024;
/** The API server's limit on a ConfigMap's or Secret's data (values, decoded), 1 MiB. */
export const DATA_MAX_BYTES = 1024 * 1024;

/** Kinds whose names follow another rule than a DNS-1123 subdomain (the default, custom resources included). */
const NAME_RULES: Readonly<Record<string, { check: (name: string) => string | undefined; what: string }>> = {
  Namespace: { check: dns1123Label, what: 'a DNS-1123 label' },
  Service: { check: dns1035Label, what: 'a DNS-1035 label' },
  Role: { check: pathSegmentName, what: 'a path segment' },
  ClusterRole: { check: pathSegmentName, what: 'a path segment' },
  RoleBinding: { check: pathSegmentName, what: 'a path segment' },
  ClusterRoleBinding: { check: pathSegmentName, what: 'a path segment' },
};

/** Where kinds embed object metadata: the path to each, and its JSON pointer. */
interface Embedded {
  path: readonly string[];
  pointer: string;
}
const at = (...path: string[]): Embedded => ({ path, pointer: '/' + path.join('/') });
const POD_TEMPLATE = [at('spec', 'template', 'metadata')];
const EMBEDDED: Readonly<Record<string, readonly Embedded[]>> = {
  Deployment: POD_TEMPLATE,
  ReplicaSet: POD_TEMPLATE,
  DaemonSet: POD_TEMPLATE,
  ReplicationController: POD_TEMPLATE,
  StatefulSet: POD_TEMPLATE,
  Job: POD_TEMPLATE,
  CronJob: [at('spec', 'jobTemplate', 'metadata'), at('spec', 'jobTemplate', 'spec', 'template', 'metadata')],
  PodTemplate: [at('template', 'metadata')],
};

type Report = (f: Finding) => void;

export function validateMetadata(object: KubeObject, report: Report): void {
  const meta = object.metadata;
  if (!isObject(meta)) return;
  const name = meta.name;
  if (typeof name === 'string') nameProblems(object.kind, name, report);
  if (typeof meta.namespace === 'string' && meta.namespace !== '') {
    const bad = dns1123Label(meta.namespace);
    if (bad) report({ pointer: '/metadata/namespace', message: `namespace "${meta.namespace}" ${bad}`, hint: 'namespaces are DNS-1123 labels: lower-case letters, digits and "-", at most 63' });
  }
  metaProblems(meta, '/metadata', report, object.kind === 'Pod' ? '/spec/podAnnotations' : undefined);
  const embedded = EMBEDDED[object.kind];
  if (embedded) {
    for (const { path, pointer } of embedded) {
      const value = get(object, ...path);
      if (isObject(value)) metaProblems(value, pointer, report, pointer.endsWith('/template/metadata') ? '/spec/podAnnotations' : undefined);
    }
  }
  if (object.kind === 'StatefulSet') {
    const claims = get(object, 'spec', 'volumeClaimTemplates');
    if (Array.isArray(claims)) claims.forEach((c, i) => isObject(c) && isObject(c.metadata) && metaProblems(c.metadata, `/spec/volumeClaimTemplates/${i}/metadata`, report));
  }
}

function nameProblems(kind: string, name: string, report: Report): void {
  const rule = NAME_RULES[kind];
  const bad = rule ? rule.check(name) : dns1123Subdomain(name);
  if (bad) {
    report({
      pointer: '/metadata/name',
      message: `${kind} name "${name}" ${bad}`,
      hint: `a ${kind} name is ${rule?.what ?? 'a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253)'}; rename it`,
      specPointer: '/metadata/name',
    });
    return;
  }
  // The CronJob controller names each Job `<name>-<11 characters>`, and a Job's name becomes a label value of its pods.
  const max = kind === 'CronJob' ? LABEL_MAX - 11 : kind === 'Job' ? LABEL_MAX : undefined;
  if (max !== undefined && name.length > max) {
    report({
      pointer: '/metadata/name',
      message: `${kind} name "${name}" is ${name.length} characters long, more than ${max}`,
      hint: kind === 'CronJob' ? 'the API server refuses CronJob names over 52 characters (its Jobs add an 11-character suffix); shorten it' : "the API server copies a Job's name into its pods' job-name label (at most 63 characters); shorten it",
      specPointer: '/metadata/name',
    });
  }
}

/** Labels and annotations of one ObjectMeta at `at`. */
function metaProblems(meta: Json, at: string, report: Report, annotationsSpec?: string): void {
  const labels = meta.labels;
  if (isObject(labels)) labelMapProblems(labels, `${at}/labels`, 'label', report);
  const annotations = meta.annotations;
  if (!isObject(annotations)) return;
  let total = 0;
  for (const key in annotations) {
    const value = annotations[key];
    // Annotation keys are qualified names, whatever their case.
    const bad = validAnnotationKeys.has(key) ? undefined : qualifiedName(key.toLowerCase());
    if (!bad) remember(validAnnotationKeys, key);
    else report({ pointer: `${at}/annotations/${pointerSegment(key)}`, message: `annotation key "${key}" ${bad}`, hint: 'annotation keys are an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "."', ...(annotationsSpec && { specPointer: annotationsSpec }) });
    total += utf8Length(key) + (typeof value === 'string' ? utf8Length(value) : 0);
  }
  if (total > ANNOTATIONS_MAX_BYTES) {
    report({
      pointer: `${at}/annotations`,
      message: `annotations take ${total} bytes (keys and values), more than the API server's limit of ${ANNOTATIONS_MAX_BYTES} (256 KiB)`,
      hint: 'move large values out of annotations (a ConfigMap, or the object spec)',
      ...(annotationsSpec && { specPointer: annotationsSpec }),
    });
  }
}

/**
 * Label keys and values found valid, remembered: a fleet repeats the same few thousand (the
 * standard labels), and a Set lookup costs a fraction of the regular expressions (labels were
 * half the time of these rules on the example fleet copied to 16,000 objects). Bounded.
 */
const validKeys = new Set<string>();
const validAnnotationKeys = new Set<string>();
const validValues = new Set<string>();
function remember(set: Set<string>, value: string): void {
  if (set.size > 50_000) set.clear();
  set.add(value);
}

/** A map of label keys to label values (metadata.labels, a Service selector, matchLabels). */
export function labelMapProblems(labels: Json, at: string, what: string, report: Report): void {
  for (const key in labels) {
    const value = labels[key];
    if (validKeys.has(key) && typeof value === 'string' && validValues.has(value)) continue;
    const pointer = `${at}/${pointerSegment(key)}`;
    const badKey = qualifiedName(key);
    if (badKey) report({ pointer, message: `${what} key "${key}" ${badKey}`, hint: 'label keys are an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "."' });
    else remember(validKeys, key);
    if (typeof value !== 'string') continue;
    const badValue = labelValue(value);
    if (badValue) report({ pointer, message: `${what} "${key}" has value "${value}", which ${badValue}`, hint: 'label values are at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)' });
    else remember(validValues, value);
  }
}

/** A metav1.LabelSelector: matchLabels, and matchExpressions with their operators and values. */
export function labelSelectorProblems(selector: unknown, at: string, report: Report): void {
  if (!isObject(selector)) return;
  if (isObject(selector.matchLabels)) labelMapProblems(selector.matchLabels, `${at}/matchLabels`, 'selector label', report);
  const expressions = selector.matchExpressions;
  if (!Array.isArray(expressions)) return;
  expressions.forEach((e, i) => {
    if (!isObject(e)) return;
    const p = `${at}/matchExpressions/${i}`;
    if (typeof e.key === 'string') {
      const bad = qualifiedName(e.key);
      if (bad) report({ pointer: `${p}/key`, message: `selector key "${e.key}" ${bad}`, hint: 'selector keys are label keys' });
    }
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) report({ pointer: `${p}/values`, message: `operator ${e.operator} needs at least one value`, hint: 'list the label values to match' });
      values.forEach((v, j) => {
        const bad = typeof v === 'string' ? labelValue(v) : undefined;
        if (bad) report({ pointer: `${p}/values/${j}`, message: `selector value "${String(v)}" ${bad}`, hint: 'selector values are label values' });
      });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) report({ pointer: `${p}/values`, message: `operator ${e.operator} takes no values`, hint: 'remove values, or use In or NotIn' });
    } else report({ pointer: `${p}/operator`, message: `"${String(e.operator)}" is not a selector operator`, hint: 'use In, NotIn, Exists or DoesNotExist' });
  });
}

/** The whole object over the bridge's size limit. */
export function sizeProblems(object: KubeObject, report: Report): void {
  // Each character of a string is at most 6 bytes of JSON (\u0000 escapes), so below this bound no object can be over.
  if (estimate(object) * 6 <= OBJECT_MAX_BYTES) return;
  const bytes = utf8Length(JSON.stringify(object));
  if (bytes <= OBJECT_MAX_BYTES) return;
  report({
    pointer: '',
    message: `${object.kind} "${object.metadata?.name}" is ${bytes} bytes as JSON, more than ${OBJECT_MAX_BYTES} (1 MiB)`,
    hint: 'etcd and the API server refuse objects near this size; split it, or move data out (a volume, an image, object storage)',
  });
}

/** An upper bound of the JSON length in characters of `value`, escapes aside. */
function estimate(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return 24;
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) n += estimate(v) + 1;
    return n;
  }
  for (const k in value) n += k.length + 4 + estimate((value as Json)[k]);
  return n;
}

const CONFIG_MAP_DATA = ['data', 'binaryData'] as const;
const SECRET_DATA = ['data', 'stringData'] as const;

/** ConfigMap and Secret data: keys, one key in both maps, and the total of the values (1 MiB). */
export function dataProblems(object: KubeObject, report: Report): void {
  const maps = object.kind === 'ConfigMap' ? CONFIG_MAP_DATA : SECRET_DATA;
  let total = 0;
  const seen = new Set<string>();
  for (const map of maps) {
    const entries = get(object, map);
    if (!isObject(entries)) continue;
    for (const key in entries) {
      const value = entries[key];
      const bad = dataKey(key);
      if (bad) report({ pointer: `/${map}/${pointerSegment(key)}`, message: `key "${key}" ${bad}`, hint: 'keys are letters, digits, "-", "_" and ".", at most 253, not "." or ".." or starting with ".."', ...(object.kind === 'ConfigMap' && { specPointer: '/spec/config' }) });
      if (object.kind === 'ConfigMap' && seen.has(key)) report({ pointer: `/${map}/${pointerSegment(key)}`, message: `key "${key}" is in both data and binaryData`, hint: 'keep it in one of them' });
      seen.add(key);
      if (typeof value !== 'string') continue;
      // binaryData and a Secret's data are base64: the API server counts the decoded bytes.
      total += map === 'binaryData' || (object.kind === 'Secret' && map === 'data') ? Math.floor((value.replace(/=+$/, '').length * 3) / 4) : utf8Length(value);
    }
  }
  if (total > DATA_MAX_BYTES) {
    report({
      pointer: `/${maps[0]}`,
      message: `${object.kind} "${object.metadata.name}" holds ${total} bytes of data, more than the API server's limit of ${DATA_MAX_BYTES} (1 MiB)`,
      hint: 'split the data across several objects, or ship it another way (a volume, an image, object storage)',
      ...(object.kind === 'ConfigMap' && { specPointer: '/spec/config' }),
    });
  }
}

function dataKey(key: string): string | undefined {
  if (key.length > 253) return `is ${key.length} characters long, more than 253`;
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) return 'must be letters, digits, "-", "_" and "."';
  if (key === '.' || key === '..' || key.startsWith('..')) return 'may not be "." or "..", nor start with ".."';
  return undefined;
}

/** Bytes of a string in UTF-8 (what Go's len counts). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
