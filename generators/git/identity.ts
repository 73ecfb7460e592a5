/**
 * Who the rendered commit is by, and when. Author and committer come from --author/--committer,
 * else GIT_AUTHOR_NAME/EMAIL and GIT_COMMITTER_NAME/EMAIL, else a bot identity. The dates are
 * the dry commit's committer date (so the same dry commit on the same parent gives the same
 * commit, byte for byte), unless GIT_AUTHOR_DATE/GIT_COMMITTER_DATE say otherwise.
 */
import { BridgeError } from '../core/errors.js';
import type { Signature } from './object-format.js';

export const DEFAULT_IDENTITY = { name: 'gitops-bridge', email: 'gitops-bridge@users.noreply.github.com' };

export interface IdentityOptions {
  author?: string;
  committer?: string;
}

export function parseIdent(value: string, what: string): { name: string; email: string } {
  const m = /^\s*([^<>]*?)\s*<([^<>\s]*)>\s*$/.exec(value);
  if (!m || m[1] === '') {
    throw new BridgeError({ code: 'usage', message: `${what} ${JSON.stringify(value)} is not "Name <email>"`, hint: 'e.g. --author "Release Bot <bot@example.com>"' });
  }
  return { name: m[1]!, email: m[2]! };
}

/** A date as git accepts it in GIT_*_DATE: "@<seconds> [+hhmm]", "<seconds> +hhmm", or ISO 8601 / RFC 3339. */
export function parseGitDate(value: string, what: string): { timestamp: number; offset: number } {
  const v = value.trim();
  let m = /^@?(\d+)(?: ([+-])(\d{2}):?(\d{2}))?$/.exec(v);
  if (m && (v.startsWith('@') || m[2])) {
    const offset = m[2] ? (Number(m[3]) * 60 + Number(m[4])) * (m[2] === '-' ? -1 : 1) : 0;
    return { timestamp: Number(m[1]), offset };
  }
  m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (m) {
    const zone = m[3] ?? 'Z';
    const offset = zone === 'Z' ? 0 : (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * (zone[0] === '-' ? -1 : 1);
    const utc = Date.parse(`${m[1]}T${m[2]}Z`);
    if (!Number.isNaN(utc)) return { timestamp: Math.floor(utc / 1000) - offset * 60, offset };
  }
  throw new BridgeError({ code: 'usage', message: `${what}=${JSON.stringify(value)} is not a date git understands here`, hint: 'use RFC 3339 (2024-05-01T12:00:00+02:00) or "@<unix seconds> +hhmm"' });
}

export function identities(
  options: IdentityOptions,
  env: NodeJS.ProcessEnv,
  when: { timestamp: number; offset: number },
): { author: Signature; committer: Signature } {
  const fromEnv = (kind: 'AUTHOR' | 'COMMITTER') => {
    const name = env[`GIT_${kind}_NAME`];
    const email = env[`GIT_${kind}_EMAIL`];
    return name || email ? { name: name || DEFAULT_IDENTITY.name, email: email || DEFAULT_IDENTITY.email } : undefined;
  };
  const author = options.author ? parseIdent(options.author, '--author') : (fromEnv('AUTHOR') ?? DEFAULT_IDENTITY);
  const committer = options.committer ? parseIdent(options.committer, '--committer') : (fromEnv('COMMITTER') ?? author);
  const authorDate = env.GIT_AUTHOR_DATE ? parseGitDate(env.GIT_AUTHOR_DATE, 'GIT_AUTHOR_DATE') : when;
  const committerDate = env.GIT_COMMITTER_DATE ? parseGitDate(env.GIT_COMMITTER_DATE, 'GIT_COMMITTER_DATE') : when;
  return { author: { ...author, ...authorDate }, committer: { ...committer, ...committerDate } };
}
