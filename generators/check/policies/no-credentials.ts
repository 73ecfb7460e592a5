/** No value anywhere looks like a credential: access keys, private keys, tokens, passwords. */
import { pointerOf } from '../../core/errors.js';
import { secretReason } from '../../core/secrets.js';
import { isObject } from './pods.js';
import type { Finding, Policy } from './types.js';

export const noCredentials: Policy = {
  id: 'no-credentials',
  description:
    'No string in a rendered object (key or value, Secret data decoded) looks like a credential: AWS access keys, private keys, tokens, or a non-empty value under a password/secret/token-like name.',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const report = (segments: (string | number)[], reason: string) => {
      const pointer = pointerOf(segments);
      if (seen.has(pointer)) return;
      seen.add(pointer);
      out.push({
        pointer,
        message: `a credential in a manifest: ${reason}`,
        hint: 'move it to the secret store and read it through spec.externalSecrets and env fromSecret; rotate it, since it may have been shared already',
      });
    };
    const walk = (value: unknown, key: string, segments: (string | number)[]) => {
      if (typeof value === 'string') {
        const reason = secretReason(key, value);
        if (reason) report(segments, reason);
        return;
      }
      if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, key, [...segments, i]));
        return;
      }
      if (!isObject(value)) return;
      // An env var or similar {name, value} pair: the name says what the value is.
      if (typeof value.name === 'string' && typeof value.value === 'string') {
        const reason = secretReason(value.name, value.value);
        if (reason) report([...segments, 'value'], reason);
      }
      for (const [k, v] of Object.entries(value)) {
        const keyReason = secretReason('', k);
        if (keyReason) report([...segments, k], `the key ${keyReason.replace(/^the value /, '')}`);
        walk(v, k, [...segments, k]);
      }
    };
    walk(object, '', []);
    // Secret data is base64: decode it so the same patterns apply.
    if (object.kind === 'Secret' && isObject(object.data)) {
      for (const [k, v] of Object.entries(object.data)) {
        if (typeof v !== 'string') continue;
        const reason = secretReason(k, Buffer.from(v, 'base64').toString('utf8'));
        if (reason && !secretReason(k, v)) report(['data', k], `${reason} (base64-decoded)`);
      }
    }
    return out;
  },
};
