/** The API server's string formats at their edges (apimachinery validation, Kubernetes 1.33). */
import { describe, expect, it } from 'vitest';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, pathSegmentName, portName, portNumber, portNumberOrName, qualifiedName, wildcardSubdomain } from '../../generators/check/api-server/formats.js';

const label = (n: number) => 'a'.repeat(n);
/** A subdomain of n characters (n <= 255): 63-character labels joined by dots, cut to length. */
const subdomain = (n: number) => Array.from({ length: 4 }, () => label(63)).join('.').slice(0, n);

const ok = (fn: (v: string) => string | undefined, values: string[]) => values.map((v) => [v, fn(v)]).filter(([, r]) => r !== undefined);
const bad = (fn: (v: string) => string | undefined, values: string[]) => values.filter((v) => fn(v) === undefined);

describe('DNS names', () => {
  it('a DNS-1123 label: 63 characters pass, 64 do not; no dots, no upper case, alphanumeric ends', () => {
    expect(ok(dns1123Label, ['a', '0', label(63), 'my-app', '123-abc'])).toEqual([]);
    expect(bad(dns1123Label, [label(64), 'my.app', 'My-app', '-app', 'app-', 'app_1', ''])).toEqual([]);
    expect(dns1123Label(label(64))).toBe('is 64 characters long, more than 63');
    expect(dns1123Label('my.app')).toBe('must not contain dots (a DNS-1123 label)');
  });

  it('a DNS-1123 subdomain: 253 characters pass, 254 do not; each part a label', () => {
    expect(subdomain(253)).toHaveLength(253);
    expect(ok(dns1123Subdomain, [subdomain(253), 'example.com', 'a.b-c.d', '1.2.3.4'])).toEqual([]);
    expect(bad(dns1123Subdomain, [subdomain(254), 'Orders_API.example.com', 'a..b', '.a', 'a.', 'a.-b', 'a b'])).toEqual([]);
    expect(dns1123Subdomain(subdomain(254))).toBe('is 254 characters long, more than 253');
  });

  it('a DNS-1035 label starts with a letter (Service names)', () => {
    expect(ok(dns1035Label, ['a', 'web-1', label(63)])).toEqual([]);
    expect(bad(dns1035Label, ['1web', label(64), 'web.1', 'Web'])).toEqual([]);
  });

  it('a wildcard only as the whole first label', () => {
    expect(ok(wildcardSubdomain, ['*.example.com', '*.a.b.c'])).toEqual([]);
    expect(bad(wildcardSubdomain, ['*', '*.*.example.com', 'a.*.example.com', '*example.com', 'f*.example.com', '*.Example.com'])).toEqual([]);
  });

  it('a path segment name is anything but ".", ".." and names with "/" or "%"', () => {
    expect(ok(pathSegmentName, ['system:controller:job-controller', 'a.b', '...'])).toEqual([]);
    expect(bad(pathSegmentName, ['.', '..', 'a/b', '50%'])).toEqual([]);
  });
});

describe('label keys and values', () => {
  it('a qualified name: an optional DNS subdomain prefix, then at most 63 characters', () => {
    expect(ok(qualifiedName, ['app', 'app.kubernetes.io/name', 'MyName', 'my.name', '123-abc', `example.com/${label(63)}`, `${subdomain(253)}/a`, 'enable_external_dns'])).toEqual([]);
    expect(bad(qualifiedName, [`example.com/${label(64)}`, label(64), '/name', 'a/b/c', 'Example.com/name', 'example.com/', '-name', 'name-', 'na me', ''])).toEqual([]);
    expect(qualifiedName(label(64))).toBe('name part is 64 characters long, more than 63');
    expect(qualifiedName('Example.com/name')).toMatch(/^prefix "Example.com" must be a DNS-1123 subdomain/);
  });

  it('a label value: empty or at most 63 characters, alphanumeric ends', () => {
    expect(ok(labelValue, ['', 'v1.4.2', label(63), 'MyValue', 'my_value', '12345'])).toEqual([]);
    expect(bad(labelValue, [label(64), 'front end', '-a', 'a-', '1.0+build', 'a/b'])).toEqual([]);
    expect(labelValue(label(64))).toBe('is 64 characters long, more than 63');
  });
});

describe('ports', () => {
  it('an IANA service name: at most 15 characters, a letter, no "--", no "-" at an end', () => {
    expect(ok(portName, ['http', 'h2c', 'metrics-admin', 'a'.repeat(15), 'x1'])).toEqual([]);
    expect(bad(portName, ['a'.repeat(16), '8080', 'HTTP', 'my--port', '-http', 'http-', 'my_port', ''])).toEqual([]);
    expect(portName('8080')).toBe('must contain at least one letter');
  });

  it('a port number is 1 to 65535; a port by number or name', () => {
    expect([0, 1, 65535, 65536, 1.5].map((p) => portNumber(p) === undefined)).toEqual([false, true, true, false, false]);
    expect(portNumberOrName(8080)).toBeUndefined();
    expect(portNumberOrName('http')).toBeUndefined();
    expect(portNumberOrName('8080')).toBe('port name "8080" must contain at least one letter');
    expect(portNumberOrName(70000)).toBe('70000 is not a port number (1 to 65535)');
  });
});
