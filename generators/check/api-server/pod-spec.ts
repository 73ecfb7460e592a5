/**
 * Pod templates as the API server validates them (Kubernetes 1.33 core validation of a PodSpec):
 * containers (names, ports, resources, probes, volume mounts, environment variable names),
 * volumes and the restart policy each workload kind allows. Two rules go beyond the API server,
 * which only warns: a containerPort/protocol declared twice, and a port name used by two
 * containers, in one pod (its containers share one network namespace, so the second cannot bind,
 * and a named port would be ambiguous); and a probe's named port must be a port its container
 * declares (the kubelet fails such a probe on every run). Pure.
 */
import type { KubeObject } from '../../charts/object.js';
import { pointerSegment } from '../../core/errors.js';
import { containersOf, get, isObject, nameOf, podTemplatesOf, type ContainerRef, type Json, type PodTemplate } from '../policies/pods.js';
import type { Finding } from '../policies/types.js';
import { dns1123Label, portName, portNumber, portNumberOrName, qualifiedName } from './formats.js';
import { compareQuantities, isWhole, parseQuantity, quantityText, sign, type Quantity } from './quantity.js';

type Report = (f: Finding) => void;

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const PROBES = [
  ['livenessProbe', 'liveness'],
  ['readinessProbe', 'readiness'],
  ['startupProbe', 'startup'],
] as const;
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
/** Resource names a container may use without a domain (hugepages-<size> aside). */
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const JOB_KINDS = new Set(['Job', 'CronJob']);

export function validatePods(object: KubeObject, report: Report): void {
  for (const pod of podTemplatesOf(object)) podProblems(object.kind, pod, report);
}

function podProblems(kind: string, pod: PodTemplate, report: Report): void {
  const spec = pod.spec;
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    report({ pointer: `${pod.pointer}/containers`, message: 'a pod needs at least one container', hint: 'add a container' });
  }
  const restart = spec.restartPolicy;
  if (JOB_KINDS.has(kind) && restart !== 'OnFailure' && restart !== 'Never') {
    report({
      pointer: restart === undefined ? pod.pointer : `${pod.pointer}/restartPolicy`,
      message: `a ${kind}'s pods must set restartPolicy OnFailure or Never${restart === undefined ? ' (the default, Always, is refused)' : `, not ${String(restart)}`}`,
      hint: 'set restartPolicy: OnFailure (or Never) in the pod template',
    });
  } else if (!JOB_KINDS.has(kind) && kind !== 'Pod' && kind !== 'PodTemplate' && restart !== undefined && restart !== 'Always') {
    report({ pointer: `${pod.pointer}/restartPolicy`, message: `a ${kind}'s pods must restart Always, not ${String(restart)}`, hint: 'remove restartPolicy (Always is the default)' });
  }

  const volumes = new Set<string>();
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      if (!isObject(v) || typeof v.name !== 'string') return;
      const pointer = `${pod.pointer}/volumes/${i}/name`;
      const bad = dns1123Label(v.name);
      if (bad) report({ pointer, message: `volume name "${v.name}" ${bad}`, hint: 'volume names are DNS-1123 labels' });
      else if (volumes.has(v.name)) report({ pointer, message: `volume "${v.name}" is declared twice`, hint: 'give each volume its own name' });
      volumes.add(v.name);
    });
  }

  const containers = containersOf(pod);
  const names = new Set<string>();
  // Ports of the containers that run together: the app containers, and sidecars (init containers that keep running).
  const portNames = new Map<string, string>();
  const bound = new Map<string, string>();
  for (const c of containers) {
    const name = c.container.name;
    if (typeof name === 'string') {
      const bad = dns1123Label(name);
      if (bad) report({ pointer: `${c.pointer}/name`, message: `container name "${name}" ${bad}`, hint: 'container names are DNS-1123 labels' });
      else if (names.has(name)) report({ pointer: `${c.pointer}/name`, message: `two containers of the pod are named "${name}"`, hint: 'give each container (init containers included) its own name' });
      names.add(name);
    }
    const runs = !c.init || c.container.restartPolicy === 'Always';
    portProblems(c, runs ? { portNames, bound } : undefined, report);
    resourceProblems(c, report);
    probeProblems(c, report);
    mountProblems(c, volumes, report);
    envProblems(c, report);
  }
}

function portProblems(c: ContainerRef, shared: { portNames: Map<string, string>; bound: Map<string, string> } | undefined, report: Report): void {
  const ports = c.container.ports;
  if (!Array.isArray(ports)) return;
  const own = new Set<string>();
  ports.forEach((p, i) => {
    if (!isObject(p)) return;
    const at = `${c.pointer}/ports/${i}`;
    if (typeof p.name === 'string' && p.name !== '') {
      const bad = portName(p.name);
      if (bad) report({ pointer: `${at}/name`, message: `port name "${p.name}" ${bad}`, hint: 'port names are IANA service names: at most 15 lower-case letters, digits and "-", with a letter', specPointer: '/spec/ports' });
      else if (own.has(p.name)) report({ pointer: `${at}/name`, message: `port name "${p.name}" is used twice in the container`, hint: 'give each port its own name', specPointer: '/spec/ports' });
      else if (shared?.portNames.has(p.name)) report({ pointer: `${at}/name`, message: `port name "${p.name}" is also a port of ${shared.portNames.get(p.name)}`, hint: 'a named port must mean one port of the pod: rename one', specPointer: '/spec/ports' });
      own.add(p.name);
      shared?.portNames.set(p.name, nameOf(c));
    }
    if (p.containerPort === undefined || p.containerPort === 0) report({ pointer: at, message: 'a port needs a containerPort', hint: 'set containerPort (1 to 65535)', specPointer: '/spec/ports' });
    else if (typeof p.containerPort === 'number') {
      const bad = portNumber(p.containerPort);
      if (bad) report({ pointer: `${at}/containerPort`, message: `containerPort ${bad}`, hint: 'use a port from 1 to 65535', specPointer: '/spec/ports' });
    }
    if (typeof p.hostPort === 'number' && p.hostPort !== 0) {
      const bad = portNumber(p.hostPort);
      if (bad) report({ pointer: `${at}/hostPort`, message: `hostPort ${bad}`, hint: 'use a port from 1 to 65535, or no hostPort' });
    }
    const protocol = p.protocol ?? 'TCP';
    if (typeof protocol === 'string' && !PROTOCOLS.has(protocol)) report({ pointer: `${at}/protocol`, message: `protocol "${protocol}" is not TCP, UDP or SCTP`, hint: 'use TCP, UDP or SCTP' });
    if (typeof p.containerPort === 'number' && shared) {
      const key = `${p.containerPort}/${String(protocol)}`;
      const other = shared.bound.get(key);
      if (other) report({ pointer: `${at}/containerPort`, message: `${key} is declared twice in the pod (also by ${other})`, hint: "a pod's containers share one network: declare each port once", specPointer: '/spec/ports' });
      else shared.bound.set(key, nameOf(c));
    }
  });
}

function resourceProblems(c: ContainerRef, report: Report): void {
  const resources = c.container.resources;
  if (!isObject(resources)) return;
  const at = (list: string, name: string) => `${c.pointer}/resources/${list}/${pointerSegment(name)}`;
  const requests = isObject(resources.requests) ? resources.requests : undefined;
  const limits = isObject(resources.limits) ? resources.limits : undefined;
  const parsedLimits = limits && quantities(limits, 'limits', at, report);
  const parsedRequests = requests && quantities(requests, 'requests', at, report);
  if (!parsedRequests) return;
  for (const name in parsedRequests) {
    const request = parsedRequests[name]!;
    const limit = parsedLimits?.[name];
    const extended = name.includes('/') && !name.startsWith('kubernetes.io/');
    if (limit === undefined) {
      if (extended) report({ pointer: at('requests', name), message: `${name} is requested without a limit`, hint: `extended resources cannot be overcommitted: set limits.${name} equal to the request` });
      continue;
    }
    const cmp = compareQuantities(request, limit);
    const req = () => quantityText(requests![name]);
    const lim = () => quantityText(limits![name]);
    if ((extended || name.startsWith('hugepages-')) && cmp !== 0) {
      report({ pointer: at('requests', name), message: `requests.${name} (${req()}) differs from limits.${name} (${lim()})`, hint: `${name} cannot be overcommitted: request what the limit says` });
    } else if (cmp > 0) {
      report({ pointer: at('requests', name), message: `requests.${name} (${req()}) is more than limits.${name} (${lim()})`, hint: `a container cannot request more ${name} than its limit: lower the request or raise the limit`, specPointer: `/spec/resources/requests/${name}` });
    }
  }
}

/** One of a container's resource lists: names and quantities checked, the quantities that parse by name. */
function quantities(values: Json, list: 'requests' | 'limits', at: (list: string, name: string) => string, report: Report): Record<string, Quantity> {
  const parsed: Record<string, Quantity> = {};
  for (const name in values) {
    const value = values[name];
    const badName = STANDARD_RESOURCES.has(name) ? undefined : resourceName(name);
    if (badName) report({ pointer: at(list, name), message: `resource "${name}" ${badName}`, hint: 'use cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource named <domain>/<name>' });
    // An unparseable quantity is the schema's finding (kubernetes-schema), at the same place.
    const q = parseQuantity(value);
    if (!q) continue;
    if (sign(q) < 0) report({ pointer: at(list, name), message: `${list}.${name} is ${quantityText(value)}, below 0`, hint: 'use a quantity of 0 or more', specPointer: `/spec/resources/${list}/${name}` });
    else if (!badName && !STANDARD_RESOURCES.has(name) && !isWhole(q)) report({ pointer: at(list, name), message: `${list}.${name} is ${quantityText(value)}, not a whole number`, hint: `${name} is counted in whole units`, specPointer: `/spec/resources/${list}/${name}` });
    parsed[name] = q;
  }
  return parsed;
}

function resourceName(name: string): string | undefined {
  const bad = qualifiedName(name);
  if (bad) return bad;
  if (!name.includes('/')) return STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-') ? undefined : 'is not a container resource (cpu, memory, ephemeral-storage, hugepages-<size>)';
  if (name.startsWith('kubernetes.io/') || name.includes('.kubernetes.io/')) return undefined;
  return name.startsWith('requests.') ? 'may not start with "requests."' : undefined;
}

function probeProblems(c: ContainerRef, report: Report): void {
  let declared: Set<string> | undefined;
  const declaredPorts = () => {
    if (!declared) {
      declared = new Set();
      if (Array.isArray(c.container.ports)) for (const p of c.container.ports) if (isObject(p) && typeof p.name === 'string') declared.add(p.name);
    }
    return declared;
  };
  for (const [field, kind] of PROBES) {
    const probe = c.container[field];
    if (!isObject(probe)) continue;
    const at = `${c.pointer}/${field}`;
    const spec = `/spec/probes/${kind}`;
    let count = 0;
    for (const h of HANDLERS) if (probe[h] !== undefined && probe[h] !== null) count++;
    if (count !== 1) {
      const handlers = HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
      report({ pointer: at, message: handlers.length === 0 ? `the ${kind} probe has no handler` : `the ${kind} probe has ${handlers.length} handlers (${handlers.join(', ')})`, hint: 'give it exactly one of exec, httpGet, tcpSocket or grpc', specPointer: spec });
    }
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const port = get(probe, handler, 'port');
      if (port === undefined) continue;
      const pointer = `${at}/${handler}/port`;
      const bad = handler === 'grpc' ? (typeof port === 'number' ? portNumber(port) : `"${String(port)}" is not a number`) : portNumberOrName(port);
      if (bad) report({ pointer, message: `the ${kind} probe's port: ${bad}`, hint: 'use a port number (1 to 65535) or the name of a port the container declares', specPointer: `${spec}/port` });
      else if (typeof port === 'string' && !declaredPorts().has(port)) {
        const ports = declaredPorts();
        report({
          pointer,
          message: `the ${kind} probe names port "${port}", which ${nameOf(c)} does not declare`,
          hint: ports.size ? `use one of its ports: ${[...ports].sort().join(', ')}` : 'declare the port on the container (spec.ports), or probe a port number',
          specPointer: `${spec}/port`,
        });
      }
    }
    if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
      report({ pointer: `${at}/successThreshold`, message: `a ${kind} probe's successThreshold must be 1, not ${String(probe.successThreshold)}`, hint: 'remove successThreshold (it defaults to 1)', specPointer: spec });
    }
    for (const n of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
      if (typeof probe[n] === 'number' && (probe[n] as number) < 0) report({ pointer: `${at}/${n}`, message: `${n} is ${String(probe[n])}, below 0`, hint: 'use 0 or more', specPointer: `${spec}/${n}` });
    }
    if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
      if (kind === 'readiness') report({ pointer: `${at}/terminationGracePeriodSeconds`, message: 'a readiness probe may not set terminationGracePeriodSeconds', hint: 'remove it' });
      else if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) report({ pointer: `${at}/terminationGracePeriodSeconds`, message: 'terminationGracePeriodSeconds must be more than 0', hint: 'use 1 or more, or remove it' });
    }
  }
}

function mountProblems(c: ContainerRef, volumes: ReadonlySet<string>, report: Report): void {
  const mounts = c.container.volumeMounts;
  if (!Array.isArray(mounts)) return;
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    if (!isObject(m)) return;
    const at = `${c.pointer}/volumeMounts/${i}`;
    if (typeof m.name === 'string' && !volumes.has(m.name)) {
      report({ pointer: `${at}/name`, message: `${nameOf(c)} mounts volume "${m.name}", which the pod does not declare`, hint: volumes.size ? `mount one of: ${[...volumes].sort().join(', ')}` : 'declare the volume in the pod spec (volumes)' });
    }
    if (typeof m.mountPath === 'string') {
      if (paths.has(m.mountPath)) report({ pointer: `${at}/mountPath`, message: `two mounts of ${nameOf(c)} use the path ${m.mountPath}`, hint: 'mount each path once' });
      paths.add(m.mountPath);
    }
  });
}

/** Environment variable names: printable ASCII but '=' (Kubernetes 1.33's relaxed rule, on by default). */
function envProblems(c: ContainerRef, report: Report): void {
  const env = c.container.env;
  if (!Array.isArray(env)) return;
  env.forEach((e: Json, i) => {
    if (!isObject(e) || typeof e.name !== 'string') return;
    if (e.name === '' || !/^[\x20-\x7e]+$/.test(e.name) || e.name.includes('=')) {
      report({ pointer: `${c.pointer}/env/${i}/name`, message: `environment variable name ${JSON.stringify(e.name)} must be printable ASCII characters other than "="`, hint: 'rename the variable', specPointer: '/spec/env' });
    }
  });
}
