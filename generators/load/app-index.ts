/** Apps by name: fleets have thousands, and lookups by name come per unit. Pure. */
import type { AppInstance, EnvironmentInstance } from './fleet.js';

const indexes = new WeakMap<readonly AppInstance[], Map<string, AppInstance>>();

/** The app of this name in an environment (its app list indexed on first use). */
export function appNamed(env: Pick<EnvironmentInstance, 'apps'>, name: string): AppInstance | undefined {
  let index = indexes.get(env.apps);
  if (!index) {
    index = new Map(env.apps.map((a) => [a.name, a]));
    indexes.set(env.apps, index);
  }
  return index.get(name);
}
