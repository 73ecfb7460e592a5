/**
 * Derives generators/load/types.gen.ts from the JSON Schemas in schemas/, so the schemas stay
 * the one source of truth. Run `npm run schemas:types` after changing a schema; a test fails
 * while the generated file is out of date.
 */
import { compile } from 'json-schema-to-typescript';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { schemasDir } from '../core/paths.js';
import { loadSchemaFiles } from './schemas.js';

export const TYPES_FILE = resolve(schemasDir, '..', 'generators', 'load', 'types.gen.ts');

export async function generateTypes(): Promise<string> {
  const files = loadSchemaFiles();
  const banner = '/* Generated from schemas/*.schema.json by `npm run schemas:types`. Do not edit. */';
  const parts: string[] = [banner];
  for (const name of ['environment', 'app', 'app-overlay', 'stack-outputs', 'argocd', 'exemptions', 'aws-access']) {
    const schema = structuredClone(files[`${name}.schema.json`]!) as Record<string, unknown>;
    const ts = await compile(schema, String(schema.title), {
      bannerComment: '',
      cwd: schemasDir,
      declareExternallyReferenced: true,
      additionalProperties: false,
      unreachableDefinitions: false,
      style: { singleQuote: true, printWidth: 120 },
      $refOptions: {
        resolve: {
          http: false,
          file: { order: 1, canRead: true },
          gb: {
            order: 0,
            canRead: /^https:\/\/gitops-bridge\.dev\/schemas\//,
            read: (f: { url: string }) => JSON.stringify(files[f.url.replace(/^.*\//, '')]),
          },
        },
      } as never,
    });
    parts.push(ts.trim());
  }
  return dedupeDeclarations(parts.join('\n\n')) + '\n';
}

/** Shared definitions (DnsLabel, Quantity...) are emitted once per schema; keep the first. */
function dedupeDeclarations(source: string): string {
  const blocks = source.split(/\n(?=(?:\/\*\*[\s\S]*?\*\/\n)?export )/);
  const seen = new Set<string>();
  return blocks
    .filter((b) => {
      const m = /export (?:type|interface) (\w+)/.exec(b);
      if (!m) return true;
      if (seen.has(m[1]!)) return false;
      seen.add(m[1]!);
      return true;
    })
    .join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(TYPES_FILE, await generateTypes());
  console.log(`wrote ${TYPES_FILE}`);
}
