/** Kind by kind, what the API server refuses: Ingress, CronJob, HPA, PDB, Service, NetworkPolicy, workloads (kubernetes-api). */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { validateApiObject } from '../../generators/check/api-server/index.js';
import { corpus } from './fixtures.js';

const obj = (apiVersion: string, kind: string, spec: any): KubeObject => ({ apiVersion, kind, metadata: { name: 'shop-api', namespace: 'corpus' }, spec }) as KubeObject;
const found = (o: KubeObject) => validateApiObject(o).map((f) => `${f.pointer}: ${f.message}`);
const passing = (kind: string) => corpus('passing.yaml').find((o) => o.kind === kind)! as KubeObject & { spec: any };

describe('Ingress', () => {
  const ingress = (host: string | undefined, path: any = { path: '/', pathType: 'Prefix' }, port: any = { name: 'http' }) =>
    obj('networking.k8s.io/v1', 'Ingress', { ingressClassName: 'alb', rules: [{ ...(host !== undefined && { host }), http: { paths: [{ ...path, backend: { service: { name: 'shop-api', port } } }] } }] });

  it.each(['shop.example.com', '*.example.com', 'a', undefined])('host %s is accepted', (host) => {
    expect(found(ingress(host))).toEqual([]);
  });

  it.each([
    ['Orders_API.example.com', 'must be a DNS-1123 subdomain', 'did you mean "orders-api.example.com"?'],
    ['a.*.example.com', "may use a wildcard only as its whole first label ('*.example.com'), followed by a DNS-1123 subdomain", undefined],
    ['*', "may use a wildcard only as its whole first label ('*.example.com'), followed by a DNS-1123 subdomain", undefined],
    ['10.0.0.1', 'is an IP address, not a DNS name', undefined],
    [`${'a'.repeat(250)}.com`, 'is 254 characters long, more than 253', undefined],
  ])('host %s is refused', (host, why, hint) => {
    const [f, ...rest] = validateApiObject(ingress(host));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ pointer: '/spec/rules/0/host', specPointer: '/spec/ingress/host' });
    expect(f!.message).toContain(why);
    if (hint) expect(f!.hint).toBe(hint);
  });

  it.each([
    [{ path: '/api', pathType: 'Exact' }, []],
    [{ path: '', pathType: 'ImplementationSpecific' }, []],
    [{ path: '/api/*', pathType: 'ImplementationSpecific' }, []],
    [{ path: 'api', pathType: 'Prefix' }, ['path "api" must be an absolute path (start with "/")']],
    [{ path: 'api', pathType: 'ImplementationSpecific' }, ['path "api" must be an absolute path (start with "/")']],
    [{ path: '/a//b', pathType: 'Prefix' }, ['path "/a//b" may not contain "//"']],
    [{ path: '/a/%2Fb', pathType: 'Exact' }, ['path "/a/%2Fb" may not contain "%2F"']],
    [{ path: '/a/..', pathType: 'Prefix' }, ['path "/a/.." may not end with "/.."']],
    [{ path: '/' }, ['a path needs a pathType']],
    [{ path: '/', pathType: 'Regex' }, ['pathType "Regex" is not Exact, Prefix or ImplementationSpecific']],
  ])('path %o', (path, expected) => {
    expect(validateApiObject(ingress('shop.example.com', path)).map((f) => f.message)).toEqual(expected);
  });

  it('backends and TLS hosts', () => {
    expect(found(ingress('a.example.com', undefined, { name: 'http', number: 80 }))).toEqual(['/spec/rules/0/http/paths/0/backend/service/port: a backend port may not set both name and number']);
    expect(found(ingress('a.example.com', undefined, { name: 'HTTP' }))).toEqual(['/spec/rules/0/http/paths/0/backend/service/port/name: port name "HTTP" must be lower-case letters, digits and \'-\'']);
    const i = ingress('a.example.com') as any;
    i.spec.tls = [{ hosts: ['*.example.com', 'Bad.example.com'], secretName: 'shop-tls' }];
    expect(found(i)).toEqual(['/spec/tls/0/hosts/1: host "Bad.example.com" must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', each dot-separated part starting and ending with a letter or digit']);
  });
});

describe('CronJob', () => {
  const cron = (schedule: string, timeZone?: string) => {
    const c = passing('CronJob');
    c.spec.schedule = schedule;
    if (timeZone !== undefined) c.spec.timeZone = timeZone;
    return c;
  };

  it('schedule and time zone, with the spec fields that set them', () => {
    expect(found(cron('30 2 * * *', 'Europe/Paris'))).toEqual([]);
    const f = validateApiObject(cron('61 25 * * *', 'Mars/Olympus'));
    expect(f.map((x) => [x.pointer, x.specPointer])).toEqual([
      ['/spec/schedule', '/spec/cronJob/schedule'],
      ['/spec/timeZone', '/spec/cronJob/timeZone'],
    ]);
    expect(f[0]!.message).toBe('schedule "61 25 * * *" minute "61": 61 is above the maximum 59');
    expect(f[1]!.message).toMatch(/^timeZone "Mars\/Olympus" is not a time zone of the IANA tz database \(\d{4}[a-z]\)$/);
    expect(validateApiObject(cron('@daily', 'Europe/Pari'))[0]!.hint).toBe('did you mean "Europe/Paris"?');
  });

  it('limits and the job template', () => {
    const c = cron('@hourly');
    c.spec.startingDeadlineSeconds = -1;
    c.spec.jobTemplate.spec.backoffLimit = -2;
    c.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } };
    expect(found(c)).toEqual([
      '/spec/startingDeadlineSeconds: startingDeadlineSeconds is -1, below 0',
      '/spec/jobTemplate/spec/backoffLimit: backoffLimit is -2, below 0',
      "/spec/jobTemplate/spec/selector: a CronJob's job template may not set a selector",
    ]);
  });
});

describe('HorizontalPodAutoscaler', () => {
  const hpa = (spec: any) => obj('autoscaling/v2', 'HorizontalPodAutoscaler', { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-api' }, ...spec });
  const cpu = (target: any) => ({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target } }] });

  it('replica bounds: 1 <= minReplicas <= maxReplicas', () => {
    expect(found(hpa({ minReplicas: 4, maxReplicas: 4 }))).toEqual([]);
    expect(found(hpa({ maxReplicas: 1 }))).toEqual([]);
    const f = validateApiObject(hpa({ minReplicas: 5, maxReplicas: 4 }));
    expect(f.map((x) => [x.pointer, x.message, x.specPointer])).toEqual([['/spec/maxReplicas', 'maxReplicas (4) is less than minReplicas (5)', '/spec/autoscaling/maxReplicas']]);
    expect(found(hpa({ minReplicas: 0, maxReplicas: 0 }))).toEqual(['/spec/minReplicas: minReplicas is 0, less than 1', '/spec/maxReplicas: maxReplicas is 0, less than 1']);
  });

  it.each([
    [cpu({ type: 'Utilization', averageUtilization: 70 }), []],
    [cpu({ type: 'AverageValue', averageValue: '500m' }), []],
    [cpu({ type: 'Utilization', averageUtilization: 0 }), ['/spec/metrics/0/resource/target/averageUtilization: averageUtilization is 0, less than 1']],
    [cpu({ type: 'Utilization' }), ['/spec/metrics/0/resource/target: a resource metric target needs averageUtilization or averageValue']],
    [cpu({ type: 'Utilization', averageUtilization: 50, averageValue: '1' }), ['/spec/metrics/0/resource/target/averageValue: a resource metric target may not set both averageUtilization and averageValue']],
    [cpu({ type: 'AverageValue', averageValue: '-1' }), ['/spec/metrics/0/resource/target/averageValue: averageValue is -1: it must be more than 0']],
    [cpu({ type: 'Percent', averageUtilization: 50 }), ['/spec/metrics/0/resource/target/type: target type "Percent" is not Utilization, Value or AverageValue']],
    [{ metrics: [{ type: 'Cpu' }] }, ['/spec/metrics/0/type: metric type "Cpu" is not one of Object, Pods, Resource, ContainerResource, External']],
    [{ metrics: [{ type: 'Pods', resource: { name: 'cpu' } }] }, ['/spec/metrics/0/resource: a Pods metric may not set resource', '/spec/metrics/0: a Pods metric needs pods']],
    [{ metrics: [{ type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value' } } }] }, ['/spec/metrics/0/external/target: an External metric target needs value or averageValue']],
  ])('metrics %j', (spec, expected) => {
    expect(found(hpa({ maxReplicas: 3, ...spec }))).toEqual(expected);
  });

  it('the scale target is named by kind and name', () => {
    expect(found(hpa({ maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'a/b' } }))).toEqual(["/spec/scaleTargetRef/name: scaleTargetRef.name may not contain '/'"]);
  });
});

describe('PodDisruptionBudget', () => {
  const pdb = (spec: any) => obj('policy/v1', 'PodDisruptionBudget', { selector: { matchLabels: { app: 'x' } }, ...spec });
  it.each([
    [{ minAvailable: 0 }, []],
    [{ maxUnavailable: '100%' }, []],
    [{ minAvailable: 1, maxUnavailable: 1 }, ['/spec/maxUnavailable: minAvailable and maxUnavailable may not both be set']],
    [{ maxUnavailable: '101%' }, ['/spec/maxUnavailable: 101% is more than 100%']],
    [{ minAvailable: '50 %' }, ['/spec/minAvailable: "50 %" is neither a whole number nor a percentage']],
    [{ minAvailable: -1 }, ['/spec/minAvailable: -1 is below 0']],
  ])('%o', (spec, expected) => {
    expect(found(pdb(spec))).toEqual(expected);
  });
});

describe('Service', () => {
  const service = (spec: any) => obj('v1', 'Service', { selector: { app: 'shop' }, ...spec });
  it.each([
    [{ ports: [{ port: 80, targetPort: 'http' }] }, []],
    [{ clusterIP: 'None' }, []],
    [{ type: 'ExternalName', externalName: 'db.example.com.' }, []],
    [{}, ['/spec: a Service needs at least one port (unless headless or ExternalName)']],
    [{ type: 'ExternalName', externalName: 'DB_HOST' }, ['/spec/externalName: externalName "DB_HOST" must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', each dot-separated part starting and ending with a letter or digit']],
    [{ ports: [{ port: 80 }, { name: 'https', port: 443 }] }, ['/spec/ports/0: a Service with several ports must name each']],
    [{ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 80 }] }, ['/spec/ports/1/name: port name "a" is used twice', '/spec/ports/1/port: port 80/TCP is listed twice']],
    [{ ports: [{ name: 'Web', port: 0, targetPort: '8080' }] }, [`/spec/ports/0/name: port name "Web" must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`, '/spec/ports/0/port: port 0 is not a port number (1 to 65535)', '/spec/ports/0/targetPort: targetPort: port name "8080" must contain at least one letter']],
    [{ selector: { 'app.kubernetes.io/name': 'shop api' }, ports: [{ port: 80 }] }, ['/spec/selector/app.kubernetes.io~1name: selector label "app.kubernetes.io/name" has value "shop api", which must be empty or letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit']],
  ])('%j', (spec, expected) => {
    expect(found(service(spec))).toEqual(expected);
  });
});

describe('NetworkPolicy', () => {
  const policy = (egress: any) => obj('networking.k8s.io/v1', 'NetworkPolicy', { podSelector: { matchLabels: { app: 'shop' } }, policyTypes: ['Egress'], egress: [egress] });
  it.each([
    [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }, []],
    [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ port: 'dns', protocol: 'UDP' }, { port: 8000, endPort: 8100 }] }, []],
    [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }, ['/spec/egress/0/to/0/ipBlock/cidr: "10.0.0.0" is not a CIDR']],
    [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }, ['/spec/egress/0/to/0/ipBlock/cidr: "10.0.0.0/33" is not a CIDR']],
    [{ to: [{ ipBlock: { cidr: '300.0.0.0/8' } }] }, ['/spec/egress/0/to/0/ipBlock/cidr: "300.0.0.0/8" is not a CIDR']],
    [{ to: [{}] }, ['/spec/egress/0/to/0: a peer needs a podSelector, a namespaceSelector or an ipBlock']],
    [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }, ['/spec/egress/0/to/0/ipBlock: a peer may not combine ipBlock with a selector']],
    [{ ports: [{ port: 9000, endPort: 8000 }, { port: 'http', endPort: 9000 }, { port: 0 }] }, ['/spec/egress/0/ports/0/endPort: endPort (8000) is less than port (9000)', '/spec/egress/0/ports/1/endPort: endPort needs a numeric port', '/spec/egress/0/ports/2/port: port: 0 is not a port number (1 to 65535)']],
  ])('%j', (egress, expected) => {
    expect(found(policy(egress))).toEqual(expected);
  });
});

describe('workloads', () => {
  it('the selector is not empty and matches the pod template', () => {
    const d = passing('Deployment');
    d.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'someone-else' } };
    expect(found(d)).toEqual(["/spec/selector: the selector does not match the pod template's labels"]);
    d.spec.selector = {};
    expect(found(d)).toEqual(['/spec/selector: a Deployment needs a non-empty selector']);
  });

  it('replicas and the rollout bounds', () => {
    const d = passing('Deployment');
    d.spec.replicas = -1;
    d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } };
    expect(found(d)).toEqual(['/spec/replicas: replicas is -1, below 0', '/spec/strategy/rollingUpdate/maxUnavailable: maxUnavailable and maxSurge are both 0: a rollout could never proceed']);
  });
});
