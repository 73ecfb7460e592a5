/** Recognises values that must never reach git: Pulumi secrets and credential-looking strings. */

const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}/, 'a GitHub token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/, 'a JSON web token'],
];

const SENSITIVE_KEY = /(password|passwd|secret|token|private_key|access_key|api_key|credentials?)($|_)/i;

/**
 * Why `value` (stored under `key`) looks like a secret, or undefined when it does not.
 * A sensitive-sounding key holding an ARN is a reference to a secret, not the secret: allowed.
 */
export function secretReason(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === '[secret]') return 'Pulumi prints secret outputs as "[secret]"';
  for (const [re, what] of CREDENTIAL_PATTERNS) if (re.test(value)) return `the value looks like ${what}`;
  if (SENSITIVE_KEY.test(key) && value !== '' && !value.startsWith('arn:')) return `the key name "${key}" says it holds a credential`;
  return undefined;
}
