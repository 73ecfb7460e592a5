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
 * A string none of CREDENTIAL_PATTERNS can match lacks every one of these (each pattern needs
 * one of them), so one scan settles most strings. Keep in step with CREDENTIAL_PATTERNS.
 */
const MAYBE_CREDENTIAL = /AKIA|ASIA|-----BEGIN |gh[opusr]_|github_pat_|xox[abposr]-|^eyJ/;

/** SENSITIVE_KEY by key: a fleet's objects use a few hundred distinct keys millions of times. */
const sensitiveKeys = new Map<string, boolean>();
function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEY.test(key);
    if (sensitiveKeys.size < 100_000) sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

/**
 * Why `value` (stored under `key`) looks like a secret, or undefined when it does not.
 * A sensitive-sounding key holding an ARN is a reference to a secret, not the secret: allowed.
 */
export function secretReason(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === '[secret]') return 'Pulumi prints secret outputs as "[secret]"';
  if (MAYBE_CREDENTIAL.test(value)) for (const [re, what] of CREDENTIAL_PATTERNS) if (re.test(value)) return `the value looks like ${what}`;
  if (key !== '' && isSensitiveKey(key) && value !== '' && !value.startsWith('arn:')) return `the key name "${key}" says it holds a credential`;
  return undefined;
}

/**
 * Security policies no exemption lifts, with why: a credential in a rendered manifest is in git
 * for good, whatever the reason written beside it.
 */
export const UNEXEMPTABLE = new Map<string, string>([
  ['no-credentials', 'a credential rendered into a manifest is committed to git and readable by anyone with the repository; read it from a Secret through spec.externalSecrets'],
  ['no-plaintext-secret', 'a Secret with its values in the manifest is committed to git in plain text; use spec.externalSecrets so the value stays in the secret store'],
]);
