/**
 * What every unit's output depends on besides its input: the generator code, the tool's
 * schemas, the installed libraries (package-lock.json, and the versions of the libraries that
 * shape output), the Node version, the environment variables cdk8s reads, and the project's
 * declared CRD schemas. Part of every cache key (engine/engine.ts), so a change to any of them
 * invalidates every unit. Computed once per process; the I/O edge of the incremental render.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { digestOf } from '../core/hash.js';
import { toolRoot } from '../core/paths.js';

/** Libraries whose version changes output; read from their package.json in case there is no lockfile. */
const LIBRARIES = ['cdk8s', 'cdk8s-plus-33', 'js-yaml', 'fast-json-patch', 'ajv', 'kubernetes-models', '@kubernetes-models/argo-cd', '@kubernetes-models/external-secrets'];

let tool: string | undefined;

/** The code part of the key: files under generators/ and schemas/, the lockfile, library versions, Node, cdk8s settings. */
export function toolKey(): string {
  if (tool !== undefined) return tool;
  const parts: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(full, path);
      else if (/\.(ts|mts|mjs|js|cjs|json)$/.test(e.name)) parts.push(path, readFileSync(full, 'utf8'));
    }
  };
  walk(join(toolRoot, 'schemas'), 'schemas');
  // Run from the build (cli/build.mjs), whose digest covers every file under generators/ and
  // schemas/, the lockfiles and the installed packages (node_modules/.package-lock.json): it
  // stands for them here. bin.mjs runs the build only while that digest is the sources'.
  const build = (globalThis as { GITOPS_BRIDGE_BUILD_DIGEST?: string }).GITOPS_BRIDGE_BUILD_DIGEST;
  if (build !== undefined) parts.push('build', build);
  else {
    walk(join(toolRoot, 'generators'), 'generators');
    try {
      parts.push('package-lock.json', readFileSync(join(toolRoot, 'package-lock.json'), 'utf8'));
    } catch {
      // installed without a lockfile: the library versions below still count
    }
    const require = createRequire(join(toolRoot, 'package.json'));
    for (const lib of LIBRARIES) {
      try {
        parts.push(lib, (require(`${lib}/package.json`) as { version?: string }).version ?? '');
      } catch {
        parts.push(lib, 'unknown');
      }
    }
  }
  parts.push('node', process.version, 'CDK8S_DISABLE_SORT', process.env.CDK8S_DISABLE_SORT ?? '');
  tool = digestOf(parts);
  return tool;
}

/** The full code key of a project: the tool's, and its declared CRD schemas (schemas/crds/ sources). */
export function codeKey(declaredSources: readonly [string, string][]): string {
  return digestOf([toolKey(), ...declaredSources.flat()]);
}
