/** Shared by the check tests: the example fleet's environments, and corpus manifests checked as an app's rendered objects. */
import { readFleet } from '../../generators/workspace/fleet.js';
import yaml from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../generators/charts/object.js';
import { checkUnit, type CheckReport } from '../../generators/check/check.js';
import type { DeclaredSchemas } from '../../generators/check/declared-schemas.js';
import type { AppExemption, EnvironmentInstance, Fleet } from '../../generators/load/fleet.js';
import type { EnvironmentSpec } from '../../generators/load/types.gen.js';
import { repoRoot } from '../helpers.js';

export const corpusDir = join(import.meta.dirname, 'corpus');
export const corpusFiles = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort();

let example: Fleet | undefined;
export function exampleFleet(): Fleet {
  return (example ??= readFleet(repoRoot));
}

export function corpus(file: string): KubeObject[] {
  return yaml.loadAll(readFileSync(join(corpusDir, file), 'utf8')) as KubeObject[];
}

export interface Setup {
  env?: string;
  spec?: Partial<EnvironmentSpec>;
  exemptions?: AppExemption[];
  declared?: DeclaredSchemas;
}

/**
 * Checks objects as the rendered objects of an app "shop-api" in an environment of the example
 * fleet (prod by default: production tier, no LoadBalancer Services) at the policies' default
 * levels, with the given changes.
 */
export function checkObjects(objects: KubeObject[], setup: Setup = {}): CheckReport {
  const base = exampleFleet().environments.find((e) => e.name === (setup.env ?? 'prod'))!;
  const first = base.apps.find((a) => a.kind === 'spec')!;
  const { specOrigin: _origin, ...template } = first;
  // Default levels unless the setup says otherwise (the example's prod makes probes mandatory).
  const env: EnvironmentInstance = { ...base, spec: { ...base.spec, policies: {}, ...setup.spec }, apps: [] };
  env.apps.push({ ...template, name: 'shop-api', environment: env.name, patches: [], exemptions: setup.exemptions ?? [], files: ['manifests/apps/shop-api/app.yaml'] });
  const entries = objects.map((object): [string, { object: KubeObject; source: string }] => [`${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, { object, source: 'manifests/apps/shop-api/app.yaml' }]);
  return checkUnit(`${env.name}/shop-api`, entries, { environments: [env] }, setup.declared);
}
