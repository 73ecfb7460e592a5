/**
 * package.json tells the truth: every package in `dependencies` is used by the code that runs
 * (generators/, and the Pulumi program in infra/), every package that code loads is declared,
 * and a devDependency is loaded only by the development paths listed here (the build, running
 * the sources through tsx, regenerating the schema types).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

/** Files that run only while developing, and the devDependencies they may load. */
const DEV_PATHS: Record<string, string[]> = {
  'generators/cli/build.mjs': ['esbuild'],
  'generators/cli/bin.mjs': ['tsx'],
  'generators/threads/unit-worker.mjs': ['tsx'],
  'generators/load/generate-types.ts': ['json-schema-to-typescript'],
};

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Package names a file loads: static and dynamic imports, require() and the module paths of a registry (`module: '...'`). */
function packagesOf(text: string): Set<string> {
  const out = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bmodule:\s*['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || builtinModules.includes(spec) || !/^(@[a-z0-9][-a-z0-9._]*\/)?[a-z0-9][-a-z0-9._]*(\/.*)?$/.test(spec)) continue;
      out.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return out;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') sourceFiles(full, out);
    } else if (/\.(ts|mts|mjs|js|cjs)$/.test(e.name)) out.push(full);
  }
  return out;
}

describe('package.json dependencies', () => {
  const used = new Map<string, string[]>();
  for (const file of [...sourceFiles(join(repoRoot, 'generators')), ...sourceFiles(join(repoRoot, 'infra'))]) {
    const rel = relative(repoRoot, file).split('\\').join('/');
    for (const name of packagesOf(readFileSync(file, 'utf8'))) used.set(name, [...(used.get(name) ?? []), rel]);
  }

  it('finds what the code loads (the check itself works)', () => {
    expect(used.get('cdk8s')).toContain('generators/charts/app-chart.ts');
    expect(used.get('@kubernetes-models/external-secrets')).toContain('generators/check/kubernetes-schema.ts');
    expect(used.get('@pulumi/aws')).toContain('infra/program.ts');
  });

  it('declares every package that generators/ and infra/ load, as a dependency unless only development paths load it', () => {
    const problems: string[] = [];
    for (const [name, files] of used) {
      if (name in pkg.dependencies) continue;
      const outside = files.filter((f) => !DEV_PATHS[f]?.includes(name));
      if (!(name in pkg.devDependencies)) problems.push(`${name}: loaded by ${files.join(', ')}, not declared`);
      else if (outside.length > 0) problems.push(`${name}: a devDependency, loaded by ${outside.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('uses every dependency outside the development paths (build-only tools are devDependencies)', () => {
    const runtime = (name: string) => (used.get(name) ?? []).some((f) => !DEV_PATHS[f]?.includes(name));
    expect(Object.keys(pkg.dependencies).filter((name) => !runtime(name))).toEqual([]);
  });
});
