/**
 * References between objects resolve in the object's environment and namespace: a Service,
 * PodDisruptionBudget or NetworkPolicy selects at least one pod template, a Service's named
 * targetPort is a port of the pods it selects, a HorizontalPodAutoscaler scales a workload that
 * exists and has a scale subresource, an Ingress backend names a Service and one of its ports.
 * The API server accepts a dangling reference, and the object then does nothing (a Service with
 * no endpoints, an HPA that never scales): unlike the API server's rules (kubernetes-api), an
 * exemption can lift this, for pods the bridge does not render (an operator's).
 *
 * The unit's own objects are looked at first (an app's Service selects its own Deployment):
 * only what they do not resolve is looked up among the environment's other objects, since each
 * such read ties the unit's findings to other units, which the engine then checks again when
 * any of them changes (engine/engine.ts). Selectors are matched through an index per sibling list (kind and namespace of an
 * environment, the engine's sibling index): pod templates by label value, for each label key a
 * selector asks for (its first matchLabels key), built once per list and key and kept while the
 * list lives (WeakMap), so a namespace of n workloads and n Services costs about n, not n².
 */
import type { KubeObject } from '../../charts/object.js';
import { containersOf, get, isObject, podTemplatesOf, selectorMatches, TEMPLATE_PATHS, type PodTemplate } from './pods.js';
import type { Finding, Policy, PolicyContext } from './types.js';

/** Kinds whose pod templates run pods (PodTemplate objects run none). */
const POD_KINDS = [...Object.keys(TEMPLATE_PATHS).filter((k) => k !== 'PodTemplate'), 'Pod'];
const POD_KIND_SET = new Set(POD_KINDS);
/** Built-in kinds with a scale subresource, by API group. */
const SCALABLE: Readonly<Record<string, string>> = { Deployment: 'apps', StatefulSet: 'apps', ReplicaSet: 'apps', ReplicationController: '' };
/** API groups of built-in kinds: a kind of these groups not in SCALABLE has no scale subresource. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io']);

interface Template {
  /** `Kind "name"`. */
  owner: string;
  labels: Record<string, string>;
  pod: PodTemplate;
  /** Named ports of its running containers, once asked for. */
  ports?: Set<string>;
}

interface TemplateIndex {
  all: Template[];
  /** By label key, then value: made for a key the first time a selector asks for it. */
  byKey: Map<string, Map<string, Template[]>>;
}

const templatesOf = new WeakMap<KubeObject, Template[]>();
const indexes = new WeakMap<readonly KubeObject[], TemplateIndex>();

function templates(object: KubeObject): Template[] {
  let t = templatesOf.get(object);
  if (!t) {
    t = podTemplatesOf(object).map((pod) => ({ owner: `${object.kind} "${object.metadata.name}"`, labels: pod.labels, pod }));
    templatesOf.set(object, t);
  }
  return t;
}

/** Named ports of a template's running containers (app containers and sidecars). */
function portsOf(t: Template): Set<string> {
  if (!t.ports) {
    t.ports = new Set();
    for (const c of containersOf(t.pod)) {
      if (c.init && c.container.restartPolicy !== 'Always') continue;
      if (Array.isArray(c.container.ports)) for (const p of c.container.ports) if (isObject(p) && typeof p.name === 'string') t.ports.add(p.name);
    }
  }
  return t.ports;
}

function indexOf(list: readonly KubeObject[]): TemplateIndex {
  let index = indexes.get(list);
  if (!index) {
    index = { all: list.flatMap(templates), byKey: new Map() };
    indexes.set(list, index);
  }
  return index;
}

/** Templates of the index carrying label `key` with `value`. */
function withLabel(index: TemplateIndex, key: string, value: string): readonly Template[] {
  let byValue = index.byKey.get(key);
  if (!byValue) {
    byValue = new Map();
    for (const t of index.all) {
      const v = t.labels[key];
      if (v === undefined) continue;
      const bucket = byValue.get(v);
      if (bucket) bucket.push(t);
      else byValue.set(v, [t]);
    }
    index.byKey.set(key, byValue);
  }
  return byValue.get(value) ?? [];
}

type Lookup = PolicyContext['siblings'];

/** The unit's own objects by kind and namespace, as a lookup that reads no other unit. */
const ownLookups = new WeakMap<readonly KubeObject[], Lookup>();
const NONE: readonly KubeObject[] = [];
function ownLookup(context: PolicyContext): Lookup {
  const own = context.own;
  if (!own) return () => NONE;
  let lookup = ownLookups.get(own);
  if (!lookup) {
    const byKey = new Map<string, KubeObject[]>();
    for (const o of own) {
      const key = `${o.kind}|${o.metadata?.namespace ?? ''}`;
      const list = byKey.get(key);
      if (list) list.push(o);
      else byKey.set(key, [o]);
    }
    lookup = (kind, namespace) => byKey.get(`${kind}|${namespace ?? ''}`) ?? NONE;
    ownLookups.set(own, lookup);
  }
  return lookup;
}

/** The unit's own pod templates by namespace. */
const ownPods = new WeakMap<readonly KubeObject[], Map<string, Template[]>>();
function ownTemplates(context: PolicyContext, namespace: string | undefined): readonly Template[] {
  const own = context.own;
  if (!own) return [];
  let byNamespace = ownPods.get(own);
  if (!byNamespace) {
    byNamespace = new Map();
    for (const o of own) {
      if (!POD_KIND_SET.has(o.kind)) continue;
      const ns = o.metadata?.namespace ?? '';
      const list = byNamespace.get(ns) ?? [];
      list.push(...templates(o));
      byNamespace.set(ns, list);
    }
    ownPods.set(own, byNamespace);
  }
  return byNamespace.get(namespace ?? '') ?? [];
}

/** The unit's own pod templates the selector picks. */
function ownSelected(selector: unknown, namespace: string | undefined, context: PolicyContext): Template[] {
  if (!isObject(selector)) return [];
  return ownTemplates(context, namespace).filter((t) => selectorMatches(selector, t.labels));
}

/** Pod templates of the namespace the selector picks (`{}`: all of them; no selector: none); with `first`, at most one. */
function selected(selector: unknown, namespace: string | undefined, lookup: Lookup, first = false): Template[] {
  if (!isObject(selector)) return [];
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : undefined;
  let key: string | undefined;
  if (matchLabels) for (key in matchLabels) break;
  const out: Template[] = [];
  for (const kind of POD_KINDS) {
    const list = lookup(kind, namespace);
    if (list.length === 0) continue;
    const index = indexOf(list);
    const candidates = key !== undefined ? withLabel(index, key, String(matchLabels![key])) : index.all;
    for (const t of candidates) {
      if (!selectorMatches(selector, t.labels)) continue;
      out.push(t);
      if (first) return out;
    }
  }
  return out;
}

/** Whether the selector picks a pod template of the namespace: the unit's own first. */
function anySelected(selector: unknown, namespace: string | undefined, context: PolicyContext): boolean {
  return ownSelected(selector, namespace, context).length > 0 || selected(selector, namespace, context.siblings, true).length > 0;
}

const where = (object: KubeObject, context: PolicyContext) =>
  `namespace "${object.metadata.namespace ?? ''}"${context.environment ? ` of environment ${context.environment.name}` : ''}`;

export const referencesResolve: Policy = {
  id: 'references-resolve',
  description:
    "Selectors and references resolve in the object's environment and namespace: a Service, PodDisruptionBudget or NetworkPolicy selects at least one pod template, a Service's named targetPort is a port of the pods it selects, a HorizontalPodAutoscaler scales an existing Deployment, StatefulSet or ReplicaSet, an Ingress backend names an existing Service and port.",
  level: 'mandatory',
  check(object, context) {
    const out: Finding[] = [];
    const ns = object.metadata.namespace;
    switch (object.kind) {
      case 'Service': {
        const selector = get(object, 'spec', 'selector');
        if (get(object, 'spec', 'type') === 'ExternalName' || !isObject(selector) || Object.keys(selector).length === 0) break;
        const servicePorts = get(object, 'spec', 'ports');
        const named = (Array.isArray(servicePorts) ? servicePorts : []).map((p) => get(p, 'targetPort'));
        const serves = (pods: Template[]) => (target: unknown) => typeof target !== 'string' || pods.some((t) => portsOf(t).has(target));
        const own = ownSelected({ matchLabels: selector }, ns, context);
        if (own.length > 0 && named.every(serves(own))) break;
        const pods = selected({ matchLabels: selector }, ns, context.siblings);
        if (pods.length === 0) {
          out.push({ pointer: '/spec/selector', message: `the selector matches no pod template in ${where(object, context)}`, hint: "the Service would have no endpoints: select the labels of a workload's pod template (spec.template.metadata.labels)" });
          break;
        }
        named.forEach((target, i) => {
          if (serves(pods)(target)) return;
          const ports = new Set(pods.flatMap((t) => [...portsOf(t)]));
          out.push({
            pointer: `/spec/ports/${i}/targetPort`,
            message: `targetPort "${String(target)}" is not a port of the pods the Service selects (${[...new Set(pods.map((t) => t.owner))].join(', ')})`,
            hint: `name a port their containers declare${ports.size ? `: ${[...ports].sort().join(', ')}` : ', or a port number'}`,
            specPointer: '/spec/ports',
          });
        });
        break;
      }
      case 'PodDisruptionBudget': {
        const selector = get(object, 'spec', 'selector');
        if (!anySelected(selector, ns, context)) {
          out.push({
            pointer: '/spec/selector',
            message: isObject(selector) ? `the selector matches no pod template in ${where(object, context)}` : 'it has no selector, so it covers no pods',
            hint: 'select the labels of the pod template of the workload it protects',
            specPointer: '/spec/disruptionBudget',
          });
        }
        break;
      }
      case 'NetworkPolicy': {
        const selector = get(object, 'spec', 'podSelector');
        const empty = !isObject(selector) || (Object.keys(isObject(selector.matchLabels) ? selector.matchLabels : {}).length === 0 && !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0));
        if (!empty && !anySelected(selector, ns, context)) {
          out.push({ pointer: '/spec/podSelector', message: `the podSelector matches no pod template in ${where(object, context)}`, hint: 'the policy would apply to no pod: select the labels of a pod template, or use {} for every pod of the namespace' });
        }
        break;
      }
      case 'HorizontalPodAutoscaler':
        out.push(...scaleTarget(object, context));
        break;
      case 'Ingress':
        out.push(...ingressBackends(object, context));
        break;
    }
    return out;
  },
};

function scaleTarget(object: KubeObject, context: PolicyContext): Finding[] {
  const ref = get(object, 'spec', 'scaleTargetRef');
  const kind = get(ref, 'kind');
  const name = get(ref, 'name');
  if (typeof kind !== 'string' || typeof name !== 'string') return [];
  const apiVersion = String(get(ref, 'apiVersion') ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (BUILT_IN_GROUPS.has(group) && SCALABLE[kind] === undefined) {
    return [{ pointer: '/spec/scaleTargetRef/kind', message: `an HPA cannot scale a ${kind} (${kind} "${name}" has no scale subresource)`, hint: 'scale a Deployment, StatefulSet or ReplicaSet; a CronJob or Job runs to completion and is not autoscaled', specPointer: '/spec/autoscaling' }];
  }
  if (SCALABLE[kind] !== undefined && SCALABLE[kind] !== group) {
    return [{ pointer: '/spec/scaleTargetRef/apiVersion', message: `${kind} is not in API group "${group}" (apiVersion "${apiVersion}")`, hint: `use apiVersion ${SCALABLE[kind] ? `${SCALABLE[kind]}/v1` : 'v1'}` }];
  }
  const targets = (lookup: Lookup) => lookup(kind, object.metadata.namespace).some((o) => o.metadata.name === name && (o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '') === group);
  if (targets(ownLookup(context)) || targets(context.siblings)) return [];
  return [{ pointer: '/spec/scaleTargetRef/name', message: `there is no ${kind} "${name}" in ${where(object, context)} to scale`, hint: `name a ${kind} rendered in the same namespace, or remove the HPA`, specPointer: '/spec/autoscaling' }];
}

function ingressBackends(object: KubeObject, context: PolicyContext): Finding[] {
  const out: Finding[] = [];
  const check = (backend: unknown, at: string) => {
    const svc = get(backend, 'service');
    const name = get(svc, 'name');
    if (typeof name !== 'string') return;
    // The AWS Load Balancer Controller's actions: port `use-annotation` routes by the Ingress's
    // `alb.ingress.kubernetes.io/actions.<name>` annotation (a canary's traffic split), not a Service.
    if (get(svc, 'port', 'name') === 'use-annotation' && object.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${name}`] !== undefined) return;
    const named = (o: KubeObject) => o.metadata.name === name;
    const service = ownLookup(context)('Service', object.metadata.namespace).find(named) ?? context.siblings('Service', object.metadata.namespace).find(named);
    if (!service) {
      out.push({ pointer: `${at}/service/name`, message: `there is no Service "${name}" in ${where(object, context)}`, hint: 'name a Service rendered in the same namespace' });
      return;
    }
    const ports = get(service, 'spec', 'ports');
    const list = Array.isArray(ports) ? ports : [];
    const portName = get(svc, 'port', 'name');
    const portNumber = get(svc, 'port', 'number');
    if (typeof portName === 'string' && !list.some((p) => get(p, 'name') === portName)) {
      out.push({ pointer: `${at}/service/port/name`, message: `Service "${name}" has no port named "${portName}"`, hint: `use one of its ports: ${list.map((p) => String(get(p, 'name') ?? get(p, 'port'))).join(', ') || '(none)'}`, specPointer: '/spec/ingress/port' });
    } else if (typeof portNumber === 'number' && !list.some((p) => get(p, 'port') === portNumber)) {
      out.push({ pointer: `${at}/service/port/number`, message: `Service "${name}" has no port ${portNumber}`, hint: `use one of its ports: ${list.map((p) => String(get(p, 'port'))).join(', ') || '(none)'}` });
    }
  };
  check(get(object, 'spec', 'defaultBackend'), '/spec/defaultBackend');
  const rules = get(object, 'spec', 'rules');
  if (Array.isArray(rules)) {
    rules.forEach((r, i) => {
      const paths = get(r, 'http', 'paths');
      if (Array.isArray(paths)) paths.forEach((p, j) => check(get(p, 'backend'), `/spec/rules/${i}/http/paths/${j}/backend`));
    });
  }
  return out;
}
