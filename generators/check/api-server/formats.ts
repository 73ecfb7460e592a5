/**
 * The string formats the Kubernetes API server validates (apimachinery's util/validation and
 * api/validation/path, Kubernetes 1.33): DNS-1123 labels and subdomains, DNS-1035 labels, path
 * segment names, qualified names (label and annotation keys), label values, IANA service names
 * (port names) and port numbers. Each check returns what is wrong, in words, or nothing. Pure.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** 63: a DNS label, a label value, the name part of a qualified name. */
export const LABEL_MAX = 63;
/** 253: a DNS subdomain (most object names). */
export const SUBDOMAIN_MAX = 253;

/** A DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending alphanumeric (namespaces, container names). */
export function dns1123Label(value: string): string | undefined {
  if (value.length > LABEL_MAX) return `is ${value.length} characters long, more than ${LABEL_MAX}`;
  if (DNS1123_LABEL.test(value)) return undefined;
  return DNS1123_SUBDOMAIN.test(value) ? 'must not contain dots (a DNS-1123 label)' : "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels (most object names, hosts). */
export function dns1123Subdomain(value: string): string | undefined {
  if (value.length > SUBDOMAIN_MAX) return `is ${value.length} characters long, more than ${SUBDOMAIN_MAX}`;
  if (DNS1123_SUBDOMAIN.test(value)) return undefined;
  return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
}

/** `*.` then a DNS-1123 subdomain: the only wildcard an Ingress host may use. */
export function wildcardSubdomain(value: string): string | undefined {
  if (value.length > SUBDOMAIN_MAX) return `is ${value.length} characters long, more than ${SUBDOMAIN_MAX}`;
  if (value.startsWith('*.') && DNS1123_SUBDOMAIN.test(value.slice(2))) return undefined;
  return "may use a wildcard only as its whole first label ('*.example.com'), followed by a DNS-1123 subdomain";
}

/** A DNS-1035 label: a DNS-1123 label that starts with a letter (Service names). */
export function dns1035Label(value: string): string | undefined {
  if (value.length > LABEL_MAX) return `is ${value.length} characters long, more than ${LABEL_MAX}`;
  if (DNS1035_LABEL.test(value)) return undefined;
  return "must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit";
}

/** A path segment name: not '.' or '..', no '/' or '%' (RBAC object names, scale target names). */
export function pathSegmentName(value: string): string | undefined {
  if (value === '.' || value === '..') return `may not be '${value}'`;
  for (const c of ['/', '%']) if (value.includes(c)) return `may not contain '${c}'`;
  return undefined;
}

/**
 * A qualified name (a label key; an annotation key, case aside): an optional DNS-1123 subdomain
 * prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric.
 */
export function qualifiedName(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length > 2) return "must be a name with an optional DNS subdomain prefix and one '/' (e.g. 'example.com/my-name')";
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    if (parts[0] === '') return "has an empty prefix before '/'";
    const prefix = dns1123Subdomain(parts[0]!);
    if (prefix) return `prefix "${parts[0]}" ${prefix}`;
  }
  if (name === '') return 'has an empty name part';
  if (name.length > LABEL_MAX) return `name part is ${name.length} characters long, more than ${LABEL_MAX}`;
  if (!QUALIFIED_NAME_PART.test(name)) return "name part must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

/** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
export function labelValue(value: string): string | undefined {
  if (value.length > LABEL_MAX) return `is ${value.length} characters long, more than ${LABEL_MAX}`;
  if (LABEL_VALUE.test(value)) return undefined;
  return "must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
}

/**
 * An IANA service name (RFC 6335), as Kubernetes takes port names: at most 15 lower-case letters,
 * digits and '-', at least one letter, no '-' at either end or twice in a row.
 */
export function portName(value: string): string | undefined {
  if (value.length > 15) return `is ${value.length} characters long, more than 15`;
  if (!/^[-a-z0-9]+$/.test(value)) return "must be lower-case letters, digits and '-'";
  if (!/[a-z]/.test(value)) return 'must contain at least one letter';
  if (value.includes('--')) return "must not contain '--'";
  if (value.startsWith('-') || value.endsWith('-')) return "must not start or end with '-'";
  return undefined;
}

/** A port number: an integer from 1 to 65535. */
export function portNumber(value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : `${value} is not a port number (1 to 65535)`;
}

/** A port given by number or by name (probe ports, Service targetPort, Ingress backends). */
export function portNumberOrName(value: unknown): string | undefined {
  if (typeof value === 'number') return portNumber(value);
  if (typeof value === 'string') {
    const bad = portName(value);
    return bad ? `port name "${value}" ${bad}` : undefined;
  }
  return undefined;
}
