/**
 * Kind by kind, what the API server validates (Kubernetes 1.33 apps, batch, core, autoscaling,
 * policy and networking validation) beyond metadata and pod templates: workload selectors and
 * rollout bounds, Job and CronJob specs (schedule, time zone, limits), Services (ports, selector,
 * ExternalName), Ingresses (hosts, paths and path types, backends, TLS hosts),
 * HorizontalPodAutoscalers (replica bounds, metric sources and targets), PodDisruptionBudgets and
 * NetworkPolicies (ports, peers, CIDRs). Pure.
 */
import { isIP, isIPv4 } from 'node:net';
import type { KubeObject } from '../../charts/object.js';
import { closest } from '../../core/strings.js';
import { get, isObject, selectorMatches, type Json } from '../policies/pods.js';
import type { Finding } from '../policies/types.js';
import { scheduleProblem, timeZoneNames, timeZoneProblem } from './cron.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, pathSegmentName, portName, portNumber, portNumberOrName, wildcardSubdomain } from './formats.js';
import { labelMapProblems, labelSelectorProblems } from './metadata.js';
import { parseQuantity, quantityText, sign } from './quantity.js';

type Report = (f: Finding) => void;

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export function validateKind(object: KubeObject, report: Report): void {
  if (WORKLOADS.has(object.kind) && object.apiVersion === 'apps/v1') workload(object, report);
  switch (object.kind) {
    case 'Job':
      jobSpec(get(object, 'spec'), '/spec', report);
      break;
    case 'CronJob':
      cronJob(object, report);
      break;
    case 'Service':
      if (object.apiVersion === 'v1') service(object, report);
      break;
    case 'Ingress':
      if (object.apiVersion === 'networking.k8s.io/v1') ingress(object, report);
      break;
    case 'HorizontalPodAutoscaler':
      if (object.apiVersion.startsWith('autoscaling/')) hpa(object, report);
      break;
    case 'PodDisruptionBudget':
      if (object.apiVersion === 'policy/v1') pdb(object, report);
      break;
    case 'NetworkPolicy':
      if (object.apiVersion === 'networking.k8s.io/v1') networkPolicy(object, report);
      break;
  }
}

const nonNegative = (value: unknown, pointer: string, report: Report, specPointer?: string) => {
  if (typeof value === 'number' && value < 0) report({ pointer, message: `${pointer.slice(pointer.lastIndexOf('/') + 1)} is ${value}, below 0`, hint: 'use 0 or more', ...(specPointer && { specPointer }) });
};

function workload(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  nonNegative(spec.replicas, '/spec/replicas', report, '/spec/replicas');
  const selector = spec.selector;
  const empty = !isObject(selector) || (Object.keys(isObject(selector.matchLabels) ? selector.matchLabels : {}).length === 0 && !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0));
  if (empty) report({ pointer: '/spec/selector', message: `a ${object.kind} needs a non-empty selector`, hint: "select the pod template's labels (matchLabels)" });
  else {
    labelSelectorProblems(selector, '/spec/selector', report);
    const labels = get(spec, 'template', 'metadata', 'labels');
    if (!selectorMatches(selector, isObject(labels) ? (labels as Record<string, string>) : {})) {
      report({ pointer: '/spec/selector', message: `the selector does not match the pod template's labels`, hint: 'make spec.template.metadata.labels carry every label the selector names' });
    }
  }
  const rolling = get(spec, 'strategy', 'rollingUpdate');
  if (object.kind === 'Deployment' && isObject(rolling)) {
    const surge = intOrPercent(rolling.maxSurge, '/spec/strategy/rollingUpdate/maxSurge', report);
    const unavailable = intOrPercent(rolling.maxUnavailable, '/spec/strategy/rollingUpdate/maxUnavailable', report);
    if (surge === 0 && unavailable === 0) report({ pointer: '/spec/strategy/rollingUpdate/maxUnavailable', message: 'maxUnavailable and maxSurge are both 0: a rollout could never proceed', hint: 'allow one of them to be more than 0' });
  }
}

/** An int-or-percent (0 or more, or "N%" up to 100%): its value (percent or count), undefined when it is not one. */
function intOrPercent(value: unknown, pointer: string, report: Report, specPointer?: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const at = (message: string) => report({ pointer, message, hint: 'use a whole number (0 or more) or a percentage such as "25%"', ...(specPointer && { specPointer }) });
  if (typeof value === 'number') {
    if (value < 0) at(`${value} is below 0`);
    return value;
  }
  if (typeof value !== 'string') return undefined;
  const m = /^([0-9]+)%$/.exec(value);
  if (!m) return at(`"${value}" is neither a whole number nor a percentage`), undefined;
  const percent = Number(m[1]);
  if (percent > 100) at(`${value} is more than 100%`);
  return percent;
}

function jobSpec(spec: unknown, at: string, report: Report): void {
  if (!isObject(spec)) return;
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'] as const) {
    nonNegative(spec[f], `${at}/${f}`, report, spec[f] !== undefined ? `/spec/cronJob/${f}` : undefined);
  }
}

function cronJob(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  if (typeof spec.schedule === 'string') {
    const bad = scheduleProblem(spec.schedule);
    if (bad) {
      report({
        pointer: '/spec/schedule',
        message: `schedule "${spec.schedule}" ${bad}`,
        hint: 'five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-6), e.g. "30 2 * * *"; or @hourly, @daily, @weekly, @monthly, @yearly',
        specPointer: '/spec/cronJob/schedule',
      });
    }
  }
  if (typeof spec.timeZone === 'string') {
    const bad = timeZoneProblem(spec.timeZone);
    if (bad) {
      const guess = closest(spec.timeZone, timeZoneNames());
      report({
        pointer: '/spec/timeZone',
        message: `timeZone ${bad}`,
        hint: guess ? `did you mean "${guess}"?` : 'use an IANA time zone name such as Etc/UTC or Europe/Paris',
        specPointer: '/spec/cronJob/timeZone',
      });
    }
  }
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) nonNegative(spec[f], `/spec/${f}`, report, `/spec/cronJob/${f}`);
  const jobTemplateSpec = get(spec, 'jobTemplate', 'spec');
  jobSpec(jobTemplateSpec, '/spec/jobTemplate/spec', report);
  if (isObject(jobTemplateSpec) && jobTemplateSpec.selector !== undefined) report({ pointer: '/spec/jobTemplate/spec/selector', message: "a CronJob's job template may not set a selector", hint: 'remove it: the API server generates it' });
  if (isObject(jobTemplateSpec) && jobTemplateSpec.manualSelector === true) report({ pointer: '/spec/jobTemplate/spec/manualSelector', message: "a CronJob's job template may not set manualSelector", hint: 'remove it' });
}

function service(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  if (spec.type === 'ExternalName') {
    const name = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    const bad = name === '' ? 'is missing' : dns1123Subdomain(name);
    if (bad) report({ pointer: '/spec/externalName', message: `externalName ${name ? `"${name}" ` : ''}${bad}`, hint: 'an ExternalName Service names a DNS host, e.g. db.example.com' });
  }
  if (isObject(spec.selector) && spec.type !== 'ExternalName') labelMapProblems(spec.selector, '/spec/selector', 'selector label', report);
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
    report({ pointer: '/spec', message: 'a Service needs at least one port (unless headless or ExternalName)', hint: 'list its ports', specPointer: '/spec/ports' });
  }
  const names = new Set<string>();
  const bound = new Set<string>();
  ports.forEach((p, i) => {
    if (!isObject(p)) return;
    const at = `/spec/ports/${i}`;
    if (typeof p.name === 'string' && p.name !== '') {
      const bad = dns1123Label(p.name);
      if (bad) report({ pointer: `${at}/name`, message: `port name "${p.name}" ${bad}`, hint: 'Service port names are DNS-1123 labels', specPointer: '/spec/ports' });
      else if (names.has(p.name)) report({ pointer: `${at}/name`, message: `port name "${p.name}" is used twice`, hint: 'give each port its own name', specPointer: '/spec/ports' });
      names.add(p.name);
    } else if (ports.length > 1) report({ pointer: at, message: 'a Service with several ports must name each', hint: 'add a name', specPointer: '/spec/ports' });
    if (typeof p.port === 'number') {
      const bad = portNumber(p.port);
      if (bad) report({ pointer: `${at}/port`, message: `port ${bad}`, hint: 'use a port from 1 to 65535', specPointer: '/spec/ports' });
    }
    if (p.targetPort !== undefined && p.targetPort !== 0) {
      const bad = portNumberOrName(p.targetPort);
      if (bad) report({ pointer: `${at}/targetPort`, message: `targetPort: ${bad}`, hint: 'use a port number (1 to 65535) or a container port name', specPointer: '/spec/ports' });
    }
    const protocol = p.protocol ?? 'TCP';
    if (typeof protocol === 'string' && !PROTOCOLS.has(protocol)) report({ pointer: `${at}/protocol`, message: `protocol "${protocol}" is not TCP, UDP or SCTP`, hint: 'use TCP, UDP or SCTP' });
    const key = `${String(p.port)}/${String(protocol)}`;
    if (bound.has(key)) report({ pointer: `${at}/port`, message: `port ${key} is listed twice`, hint: 'list each port and protocol once', specPointer: '/spec/ports' });
    bound.add(key);
  });
}

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function ingress(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  if (typeof spec.ingressClassName === 'string') {
    const bad = dns1123Subdomain(spec.ingressClassName);
    if (bad) report({ pointer: '/spec/ingressClassName', message: `ingressClassName "${spec.ingressClassName}" ${bad}`, hint: 'name an IngressClass of the cluster' });
  }
  if (spec.defaultBackend !== undefined) backend(spec.defaultBackend, '/spec/defaultBackend', report);
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  rules.forEach((rule, i) => {
    if (!isObject(rule)) return;
    const at = `/spec/rules/${i}`;
    if (typeof rule.host === 'string' && rule.host !== '') host(rule.host, `${at}/host`, report, '/spec/ingress/host');
    const paths = get(rule, 'http', 'paths');
    if (!Array.isArray(paths)) return;
    paths.forEach((p, j) => {
      if (!isObject(p)) return;
      const pp = `${at}/http/paths/${j}`;
      const path = typeof p.path === 'string' ? p.path : '';
      const problem = (message: string) => report({ pointer: `${pp}/path`, message: `path "${path}" ${message}`, hint: 'paths are absolute ("/api"), without "//", "/./", "/../" or an encoded "/"', specPointer: '/spec/ingress/path' });
      if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
        if (!path.startsWith('/')) problem('must be an absolute path (start with "/")');
        for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) problem(`may not contain "${seq}"`);
        for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) problem(`may not end with "${suffix}"`);
      } else if (p.pathType === 'ImplementationSpecific') {
        if (path !== '' && !path.startsWith('/')) problem('must be an absolute path (start with "/")');
      } else {
        report({ pointer: p.pathType === undefined ? pp : `${pp}/pathType`, message: p.pathType === undefined ? 'a path needs a pathType' : `pathType "${String(p.pathType)}" is not Exact, Prefix or ImplementationSpecific`, hint: 'set pathType: Prefix (or Exact, ImplementationSpecific)' });
      }
      backend(p.backend, `${pp}/backend`, report);
    });
  });
  const tls = Array.isArray(spec.tls) ? spec.tls : [];
  tls.forEach((t, i) => {
    const hosts = get(t, 'hosts');
    if (Array.isArray(hosts)) hosts.forEach((h, j) => typeof h === 'string' && host(h, `/spec/tls/${i}/hosts/${j}`, report, '/spec/ingress/host'));
    const secret = get(t, 'secretName');
    if (typeof secret === 'string' && secret !== '') {
      const bad = dns1123Subdomain(secret);
      if (bad) report({ pointer: `/spec/tls/${i}/secretName`, message: `secretName "${secret}" ${bad}`, hint: 'name a Secret of the namespace' });
    }
  });
}

/** An Ingress host: a DNS-1123 subdomain, with a wildcard only as its whole first label, never an IP address. */
function host(value: string, pointer: string, report: Report, specPointer: string): void {
  const bad = isIP(value) ? 'is an IP address, not a DNS name' : value.includes('*') ? wildcardSubdomain(value) : dns1123Subdomain(value);
  if (!bad) return;
  const lower = value.toLowerCase().replace(/_/g, '-');
  report({
    pointer,
    message: `host "${value}" ${bad}`,
    hint: lower !== value && !dns1123Subdomain(lower) ? `did you mean "${lower}"?` : 'hosts are DNS names: lower-case letters, digits, "-" and ".", with "*." only in front',
    specPointer,
  });
}

function backend(value: unknown, at: string, report: Report): void {
  if (!isObject(value)) return;
  const svc = value.service;
  if (isObject(svc) && value.resource !== undefined) report({ pointer: at, message: 'a backend may not name both a service and a resource', hint: 'keep one of them' });
  if (!isObject(svc)) return;
  if (typeof svc.name === 'string') {
    const bad = dns1035Label(svc.name);
    if (bad) report({ pointer: `${at}/service/name`, message: `service name "${svc.name}" ${bad}`, hint: 'name a Service of the namespace' });
  }
  const port = svc.port;
  if (!isObject(port)) return;
  if (port.name !== undefined && port.number !== undefined) report({ pointer: `${at}/service/port`, message: 'a backend port may not set both name and number', hint: 'keep one of them', specPointer: '/spec/ingress/port' });
  else if (typeof port.number === 'number') {
    const bad = portNumber(port.number);
    if (bad) report({ pointer: `${at}/service/port/number`, message: `port ${bad}`, hint: 'use a Service port from 1 to 65535' });
  } else if (typeof port.name === 'string') {
    const bad = portName(port.name);
    if (bad) report({ pointer: `${at}/service/port/name`, message: `port name "${port.name}" ${bad}`, hint: 'name a port of the Service', specPointer: '/spec/ingress/port' });
  } else if (port.name === undefined && port.number === undefined) report({ pointer: `${at}/service/port`, message: 'a backend port needs a name or a number', hint: 'name a port of the Service', specPointer: '/spec/ingress/port' });
}

const METRIC_SOURCES: Readonly<Record<string, string>> = { Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external' };
const TARGET_TYPES = new Set(['Utilization', 'Value', 'AverageValue']);

function hpa(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (typeof min === 'number' && min < 1) report({ pointer: '/spec/minReplicas', message: `minReplicas is ${min}, less than 1`, hint: 'use 1 or more', specPointer: '/spec/autoscaling/minReplicas' });
  if (typeof max === 'number' && max < 1) report({ pointer: '/spec/maxReplicas', message: `maxReplicas is ${max}, less than 1`, hint: 'use 1 or more', specPointer: '/spec/autoscaling/maxReplicas' });
  else if (typeof max === 'number' && typeof min === 'number' && max < min) {
    report({ pointer: '/spec/maxReplicas', message: `maxReplicas (${max}) is less than minReplicas (${min})`, hint: 'raise maxReplicas to minReplicas or more, or lower minReplicas', specPointer: '/spec/autoscaling/maxReplicas' });
  }
  const ref = spec.scaleTargetRef;
  if (isObject(ref)) {
    for (const f of ['kind', 'name'] as const) {
      const v = ref[f];
      const bad = typeof v !== 'string' || v === '' ? 'is missing' : pathSegmentName(v);
      if (bad) report({ pointer: `/spec/scaleTargetRef/${f}`, message: `scaleTargetRef.${f} ${bad}`, hint: 'name the workload to scale (kind and name)' });
    }
  }
  if (object.apiVersion === 'autoscaling/v1') {
    const cpu = spec.targetCPUUtilizationPercentage;
    if (typeof cpu === 'number' && cpu < 1) report({ pointer: '/spec/targetCPUUtilizationPercentage', message: `targetCPUUtilizationPercentage is ${cpu}, less than 1`, hint: 'use 1 or more' });
    return;
  }
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  metrics.forEach((m, i) => {
    if (!isObject(m)) return;
    const at = `/spec/metrics/${i}`;
    const field = typeof m.type === 'string' ? METRIC_SOURCES[m.type] : undefined;
    if (!field) {
      report({ pointer: `${at}/type`, message: `metric type "${String(m.type)}" is not one of ${Object.keys(METRIC_SOURCES).join(', ')}`, hint: 'use Resource for cpu and memory' });
      return;
    }
    for (const other of Object.values(METRIC_SOURCES)) {
      if (other !== field && m[other] !== undefined) report({ pointer: `${at}/${other}`, message: `a ${String(m.type)} metric may not set ${other}`, hint: `remove it, or set type to match` });
    }
    const source = m[field];
    if (!isObject(source)) {
      report({ pointer: at, message: `a ${String(m.type)} metric needs ${field}`, hint: `describe the metric under ${field}` });
      return;
    }
    const target = isObject(source.target) ? source.target : {};
    const tp = `${at}/${field}/target`;
    const has = (k: string) => target[k] !== undefined && target[k] !== null;
    if (field === 'resource' || field === 'containerResource') {
      if (!has('averageUtilization') && !has('averageValue')) report({ pointer: tp, message: 'a resource metric target needs averageUtilization or averageValue', hint: 'e.g. type: Utilization, averageUtilization: 70', specPointer: '/spec/autoscaling' });
      if (has('averageUtilization') && has('averageValue')) report({ pointer: `${tp}/averageValue`, message: 'a resource metric target may not set both averageUtilization and averageValue', hint: 'keep one of them' });
    } else if (field === 'pods') {
      if (!has('averageValue')) report({ pointer: tp, message: 'a Pods metric target needs averageValue', hint: 'set type: AverageValue and averageValue' });
    } else if (!has('value') && !has('averageValue')) report({ pointer: tp, message: `an ${String(m.type)} metric target needs value or averageValue`, hint: 'set type: Value and value (or AverageValue and averageValue)' });
    if (!TARGET_TYPES.has(String(target.type))) report({ pointer: `${tp}/type`, message: `target type "${String(target.type)}" is not Utilization, Value or AverageValue`, hint: 'use Utilization (a percentage of the request) or AverageValue' });
    for (const k of ['value', 'averageValue'] as const) {
      if (!has(k)) continue;
      const q = parseQuantity(target[k]);
      if (q && sign(q) <= 0) report({ pointer: `${tp}/${k}`, message: `${k} is ${quantityText(target[k])}: it must be more than 0`, hint: 'use a positive quantity' });
    }
    if (typeof target.averageUtilization === 'number' && target.averageUtilization < 1) {
      report({ pointer: `${tp}/averageUtilization`, message: `averageUtilization is ${target.averageUtilization}, less than 1`, hint: 'use a percentage of 1 or more', specPointer: '/spec/autoscaling' });
    }
  });
}

function pdb(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    report({ pointer: '/spec/maxUnavailable', message: 'minAvailable and maxUnavailable may not both be set', hint: 'keep one of them', specPointer: '/spec/disruptionBudget' });
  }
  intOrPercent(spec.minAvailable, '/spec/minAvailable', report, '/spec/disruptionBudget/minAvailable');
  intOrPercent(spec.maxUnavailable, '/spec/maxUnavailable', report, '/spec/disruptionBudget/maxUnavailable');
  labelSelectorProblems(spec.selector, '/spec/selector', report);
}

function networkPolicy(object: KubeObject, report: Report): void {
  const spec = get(object, 'spec');
  if (!isObject(spec)) return;
  labelSelectorProblems(spec.podSelector, '/spec/podSelector', report);
  for (const [direction, peersField] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const rules = Array.isArray(spec[direction]) ? (spec[direction] as unknown[]) : [];
    rules.forEach((rule, i) => {
      const at = `/spec/${direction}/${i}`;
      const ports = get(rule, 'ports');
      if (Array.isArray(ports)) ports.forEach((p, j) => networkPolicyPort(p, `${at}/ports/${j}`, report));
      const peers = get(rule, peersField);
      if (Array.isArray(peers)) peers.forEach((p, j) => peer(p, `${at}/${peersField}/${j}`, report));
    });
  }
}

function networkPolicyPort(p: unknown, at: string, report: Report): void {
  if (!isObject(p)) return;
  if (typeof p.protocol === 'string' && !PROTOCOLS.has(p.protocol)) report({ pointer: `${at}/protocol`, message: `protocol "${p.protocol}" is not TCP, UDP or SCTP`, hint: 'use TCP, UDP or SCTP' });
  if (p.port !== undefined) {
    const bad = portNumberOrName(p.port);
    if (bad) report({ pointer: `${at}/port`, message: `port: ${bad}`, hint: 'use a port number (1 to 65535) or a port name' });
  }
  if (typeof p.endPort === 'number') {
    if (typeof p.port !== 'number') report({ pointer: `${at}/endPort`, message: 'endPort needs a numeric port', hint: 'set port to the first port of the range' });
    else if (p.endPort < p.port) report({ pointer: `${at}/endPort`, message: `endPort (${p.endPort}) is less than port (${p.port})`, hint: 'endPort ends the range that port starts' });
  }
}

function peer(p: unknown, at: string, report: Report): void {
  if (!isObject(p)) return;
  const selectors = (['podSelector', 'namespaceSelector'] as const).filter((k) => p[k] !== undefined && p[k] !== null);
  for (const k of selectors) labelSelectorProblems(p[k], `${at}/${k}`, report);
  const block = p.ipBlock;
  if (block === undefined || block === null) {
    if (selectors.length === 0) report({ pointer: at, message: 'a peer needs a podSelector, a namespaceSelector or an ipBlock', hint: 'say which pods, namespaces or addresses it means' });
    return;
  }
  if (selectors.length > 0) report({ pointer: `${at}/ipBlock`, message: 'a peer may not combine ipBlock with a selector', hint: 'make them two peers' });
  if (!isObject(block)) return;
  const cidr = block.cidr;
  if (typeof cidr === 'string' && !isCidr(cidr)) report({ pointer: `${at}/ipBlock/cidr`, message: `"${cidr}" is not a CIDR`, hint: 'e.g. 10.0.0.0/16 or 2001:db8::/32', specPointer: '/spec/networkPolicy' });
  const except = Array.isArray(block.except) ? block.except : [];
  except.forEach((e: Json, i) => {
    if (typeof e === 'string' && !isCidr(e)) report({ pointer: `${at}/ipBlock/except/${i}`, message: `"${e}" is not a CIDR`, hint: 'e.g. 10.0.1.0/24' });
  });
}

function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits) || !isIP(ip)) return false;
  return Number(bits) <= (isIPv4(ip) ? 32 : 128);
}
