/** --env and --app, checked against the fleet so a typo is an error instead of an empty render. */
import { BridgeError } from '../core/errors.js';
import { closest } from '../core/strings.js';
import type { Selection } from '../engine/units.js';
import type { Fleet } from '../load/fleet.js';

export function selectionOf(fleet: Fleet, options: { env?: string[]; app?: string[] }): Selection {
  const envs = fleet.environments.map((e) => e.name);
  const apps = [...new Set(fleet.environments.flatMap((e) => e.apps.map((a) => a.name)))];
  for (const e of options.env ?? []) {
    if (!envs.includes(e)) throw unknownChoice('environment', e, envs);
  }
  for (const a of options.app ?? []) {
    if (!apps.includes(a) && a !== 'cluster-metadata' && a !== 'namespaces') throw unknownChoice('app', a, apps);
  }
  return {
    ...(options.env?.length && { environments: options.env }),
    ...(options.app?.length && { apps: options.app }),
  };
}

function unknownChoice(what: string, value: string, known: string[]): BridgeError {
  const guess = closest(value, known);
  return new BridgeError({
    code: 'usage',
    message: `unknown ${what} "${value}"`,
    hint: guess ? `did you mean "${guess}"?` : `known: ${known.join(', ')}`,
  });
}
