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
    // One path, pushed and popped as the walk goes: a pointer is built only for a finding.
    const path: (string | number)[] = [];
    const walk = (value: unknown, key: string) => {
      if (typeof value === 'string') {
        const reason = secretReason(key, value);
        if (reason) report(path, reason);
        return;
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          walk(value[i], key);
          path.pop();
        }
        return;
      }
      if (!isObject(value)) return;
      // An env var or similar {name, value} pair: the name says what the value is.
      if (typeof value.name === 'string' && typeof value.value === 'string') {
        const reason = secretReason(value.name, value.value);
        if (reason) report([...path, 'value'], reason);
      }
      for (const k of Object.keys(value)) {
        path.push(k);
        const keyReason = secretReason('', k);
        if (keyReason) report(path, `the key ${keyReason.replace(/^the value /, '')}`);
        walk(value[k], k);
        path.pop();
      }
    };
    walk(object, '');
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
