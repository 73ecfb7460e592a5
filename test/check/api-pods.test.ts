/** Pod templates as the API server validates them: resources, ports, probes, volumes, restart policy (kubernetes-api). */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { validateApiObject } from '../../generators/check/api-server/index.js';
import { corpus } from './fixtures.js';

const deployment = (): KubeObject & { spec: any } => corpus('passing.yaml').find((o) => o.kind === 'Deployment')! as any;
const C = '/spec/template/spec/containers/0';
const found = (o: KubeObject) => validateApiObject(o).map((f) => `${f.pointer}: ${f.message}`);

describe('resources', () => {
  const withResources = (requests: Record<string, unknown>, limits: Record<string, unknown>) => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources = { requests, limits };
    return d;
  };

  it.each([
    [{ cpu: '1' }, { cpu: '1000m' }],
    [{ cpu: '500m' }, { cpu: 0.5 }],
    [{ cpu: '1e3' }, { cpu: '1k' }],
    [{ memory: '1Gi' }, { memory: '1024Mi' }],
    [{ memory: '1G' }, { memory: '1Gi' }],
    [{ cpu: '100m' }, {}],
    [{ 'nvidia.com/gpu': '2' }, { 'nvidia.com/gpu': 2 }],
    [{ 'hugepages-2Mi': '4Mi' }, { 'hugepages-2Mi': '4Mi' }],
  ])('requests %o within limits %o', (requests, limits) => {
    expect(found(withResources(requests, limits))).toEqual([]);
  });

  it.each([
    [{ cpu: '1001m' }, { cpu: '1' }, `${C}/resources/requests/cpu: requests.cpu (1001m) is more than limits.cpu (1)`],
    [{ memory: '1Gi' }, { memory: '1G' }, `${C}/resources/requests/memory: requests.memory (1Gi) is more than limits.memory (1G)`],
    [{ cpu: 2 }, { cpu: '1.5' }, `${C}/resources/requests/cpu: requests.cpu (2) is more than limits.cpu (1.5)`],
    [{ cpu: '-1' }, {}, `${C}/resources/requests/cpu: requests.cpu is -1, below 0`],
    [{ 'nvidia.com/gpu': '1' }, {}, `${C}/resources/requests/nvidia.com~1gpu: nvidia.com/gpu is requested without a limit`],
    [{ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '2' }, `${C}/resources/requests/nvidia.com~1gpu: requests.nvidia.com/gpu (1) differs from limits.nvidia.com/gpu (2)`],
    [{}, { 'nvidia.com/gpu': '0.5' }, `${C}/resources/limits/nvidia.com~1gpu: limits.nvidia.com/gpu is 0.5, not a whole number`],
    [{ gpu: '1' }, { gpu: '1' }, `${C}/resources/requests/gpu: resource "gpu" is not a container resource (cpu, memory, ephemeral-storage, hugepages-<size>)`],
  ])('requests %o, limits %o: %s', (requests, limits, expected) => {
    expect(found(withResources(requests, limits))).toContain(expected);
  });

  it('names the spec field that set the request, for a spec app', () => {
    const f = validateApiObject(withResources({ cpu: '2' }, { cpu: '1' }));
    expect(f.map((x) => [x.specPointer, x.hint])).toEqual([['/spec/resources/requests/cpu', 'a container cannot request more cpu than its limit: lower the request or raise the limit']]);
  });
});

describe('ports', () => {
  const withPorts = (...containers: any[][]) => {
    const d = deployment();
    const base = d.spec.template.spec.containers[0];
    d.spec.template.spec.containers = containers.map((ports, i) => ({ ...base, name: `c${i}`, ports, readinessProbe: undefined, livenessProbe: undefined }));
    return d;
  };

  it('names are IANA service names, unique in the pod; a containerPort/protocol is declared once', () => {
    expect(found(withPorts([{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 8080, protocol: 'UDP' }], [{ name: 'metrics', containerPort: 9090 }]))).toEqual([]);
    expect(found(withPorts([{ name: 'http', containerPort: 8080 }, { name: 'http', containerPort: 8081 }]))).toEqual([`${C}/ports/1/name: port name "http" is used twice in the container`]);
    expect(found(withPorts([{ name: 'http', containerPort: 8080 }], [{ name: 'http', containerPort: 8081 }]))).toEqual([
      '/spec/template/spec/containers/1/ports/0/name: port name "http" is also a port of container "c0"',
    ]);
    expect(found(withPorts([{ name: 'http', containerPort: 8080 }], [{ name: 'web', containerPort: 8080, protocol: 'TCP' }]))).toEqual([
      '/spec/template/spec/containers/1/ports/0/containerPort: 8080/TCP is declared twice in the pod (also by container "c0")',
    ]);
    expect(found(withPorts([{ name: 'HTTP', containerPort: 0 }, { name: 'a-very-long-port-name', containerPort: 70000, protocol: 'HTTP' }]))).toEqual([
      `${C}/ports/0/name: port name "HTTP" must be lower-case letters, digits and '-'`,
      `${C}/ports/0: a port needs a containerPort`,
      `${C}/ports/1/name: port name "a-very-long-port-name" is 21 characters long, more than 15`,
      `${C}/ports/1/containerPort: containerPort 70000 is not a port number (1 to 65535)`,
      `${C}/ports/1/protocol: protocol "HTTP" is not TCP, UDP or SCTP`,
    ]);
  });

  it("an init container's port is its own until it keeps running (a sidecar)", () => {
    const d = withPorts([{ name: 'http', containerPort: 8080 }]);
    const init = { ...d.spec.template.spec.initContainers[0], ports: [{ name: 'http', containerPort: 8080 }] };
    d.spec.template.spec.initContainers = [init];
    expect(found(d)).toEqual([]);
    init.restartPolicy = 'Always';
    expect(found(d)).toEqual([`${C}/ports/0/name: port name "http" is also a port of init container "migrate"`, `${C}/ports/0/containerPort: 8080/TCP is declared twice in the pod (also by init container "migrate")`]);
  });
});

describe('probes', () => {
  const withProbe = (field: string, probe: any) => {
    const d = deployment();
    d.spec.template.spec.containers[0][field] = probe;
    return d;
  };

  it('a named port is a port the container declares', () => {
    const f = validateApiObject(withProbe('readinessProbe', { httpGet: { path: '/ready', port: 'admin' } }));
    expect(f.map((x) => [x.pointer, x.message, x.hint, x.specPointer])).toEqual([
      [`${C}/readinessProbe/httpGet/port`, 'the readiness probe names port "admin", which container "shop-api" does not declare', 'use one of its ports: http', '/spec/probes/readiness/port'],
    ]);
    expect(found(withProbe('livenessProbe', { tcpSocket: { port: 'http' } }))).toEqual([]);
  });

  it.each([
    [{ httpGet: { port: 0 } }, `${C}/livenessProbe/httpGet/port: the liveness probe's port: 0 is not a port number (1 to 65535)`],
    [{ tcpSocket: { port: 65536 } }, `${C}/livenessProbe/tcpSocket/port: the liveness probe's port: 65536 is not a port number (1 to 65535)`],
    [{ grpc: { port: 'grpc' } }, `${C}/livenessProbe/grpc/port: the liveness probe's port: "grpc" is not a number`],
    [{ httpGet: { port: '8080' } }, `${C}/livenessProbe/httpGet/port: the liveness probe's port: port name "8080" must contain at least one letter`],
    [{}, `${C}/livenessProbe: the liveness probe has no handler`],
    [{ exec: { command: ['true'] }, tcpSocket: { port: 8080 } }, `${C}/livenessProbe: the liveness probe has 2 handlers (exec, tcpSocket)`],
    [{ tcpSocket: { port: 8080 }, successThreshold: 2 }, `${C}/livenessProbe/successThreshold: a liveness probe's successThreshold must be 1, not 2`],
    [{ tcpSocket: { port: 8080 }, periodSeconds: -1 }, `${C}/livenessProbe/periodSeconds: periodSeconds is -1, below 0`],
    [{ tcpSocket: { port: 8080 }, terminationGracePeriodSeconds: 0 }, `${C}/livenessProbe/terminationGracePeriodSeconds: terminationGracePeriodSeconds must be more than 0`],
  ])('liveness %o is refused', (probe, expected) => {
    expect(found(withProbe('livenessProbe', probe))).toEqual([expected]);
  });

  it('readiness may need several successes, and may not set terminationGracePeriodSeconds', () => {
    expect(found(withProbe('readinessProbe', { tcpSocket: { port: 8080 }, successThreshold: 3 }))).toEqual([]);
    expect(found(withProbe('readinessProbe', { tcpSocket: { port: 8080 }, terminationGracePeriodSeconds: 5 }))).toEqual([`${C}/readinessProbe/terminationGracePeriodSeconds: a readiness probe may not set terminationGracePeriodSeconds`]);
  });
});

describe('containers, volumes and the restart policy', () => {
  it('container names are unique labels across init and app containers; env names printable ASCII without "="', () => {
    const d = deployment();
    d.spec.template.spec.initContainers[0].name = 'shop-api';
    d.spec.template.spec.containers[0].env.push({ name: 'A=B', value: 'x' }, { name: 'JAVA_OPTS.x-y', value: 'x' });
    expect(found(d)).toEqual([`${C}/name: two containers of the pod are named "shop-api"`, `${C}/env/2/name: environment variable name "A=B" must be printable ASCII characters other than "="`]);
  });

  it('a mount names a volume of the pod; volume names are unique labels; a path is mounted once', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].volumeMounts.push({ name: 'cache', mountPath: '/cache' }, { name: 'tmp', mountPath: '/tmp' });
    d.spec.template.spec.volumes.push({ name: 'tmp', emptyDir: {} }, { name: 'Data', emptyDir: {} });
    expect(found(d)).toEqual([
      '/spec/template/spec/volumes/1/name: volume "tmp" is declared twice',
      '/spec/template/spec/volumes/2/name: volume name "Data" must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit',
      `${C}/volumeMounts/1/name: container "shop-api" mounts volume "cache", which the pod does not declare`,
      `${C}/volumeMounts/2/mountPath: two mounts of container "shop-api" use the path /tmp`,
    ]);
  });

  it("a Job's pods restart OnFailure or Never (Always, the default, is refused); a Deployment's Always", () => {
    const cron = corpus('passing.yaml').find((o) => o.kind === 'CronJob')! as any;
    delete cron.spec.jobTemplate.spec.template.spec.restartPolicy;
    expect(found(cron)).toEqual(["/spec/jobTemplate/spec/template/spec: a CronJob's pods must set restartPolicy OnFailure or Never (the default, Always, is refused)"]);
    const d = deployment();
    d.spec.template.spec.restartPolicy = 'Never';
    expect(found(d)).toEqual(["/spec/template/spec/restartPolicy: a Deployment's pods must restart Always, not Never"]);
  });
});
