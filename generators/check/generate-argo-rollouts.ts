/**
 * Derives generators/check/argo-rollouts.gen.cjs, the precompiled validators of the Argo Rollouts
 * kinds the spec renders (Rollout, AnalysisTemplate), from the JSON Schemas that
 * @kubernetes-models/argo-rollouts (a devDependency) ships. Run `npm run schemas:types` after
 * updating that package; a test fails while the generated file is out of date.
 *
 * Why generated and committed: the package's 2.x has precompiled validators but is ES-module only
 * (no `require` condition: neither the check's synchronous require nor tsx, which runs the sources
 * and the dev worker threads, can load it) and declares Node 22; its 0.3.x is CommonJS for Node 14
 * and ships schemas that its ajv compiles on first use: 2.8 s for the Rollout and 0.8 s for the
 * AnalysisTemplate, in every process and worker thread that checks one (Node 20, 2 cores). This
 * file is ajv's standalone code for those schemas, with the options the models compile them with
 * (allErrors; the date-time, int32 and int64 formats are not checked): loading it takes about
 * 0.1 s, and the check reads it only when it meets one of these kinds.
 */
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toolRoot } from '../core/paths.js';

export const ARGO_ROLLOUTS_FILE = resolve(toolRoot, 'generators', 'check', 'argo-rollouts.gen.cjs');
export const PACKAGE = '@kubernetes-models/argo-rollouts';
/** The kinds precompiled, as the generated module exports them. */
export const KINDS = ['Rollout', 'AnalysisTemplate'] as const;

interface ValidateModule {
  register(id: string, schema: object): void;
}

/**
 * The package's schemas of KINDS and what they reference, by id. The models hand their schemas to
 * @kubernetes-models/validate's register() when they first validate; this asks each model to
 * register, with register() listening.
 */
export function packageSchemas(): { version: string; schemas: Map<string, object> } {
  const root = createRequire(join(toolRoot, 'package.json'));
  const version = (JSON.parse(readFileSync(root.resolve(`${PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
  const models = createRequire(root.resolve(`${PACKAGE}/argoproj.io/v1alpha1/${KINDS[0]}`));
  const validate = models('@kubernetes-models/validate') as ValidateModule;
  const schemas = new Map<string, object>();
  const register = validate.register;
  validate.register = (id, schema) => void schemas.set(id, schema);
  try {
    for (const kind of KINDS) {
      const model = (models(`./${kind}`) as Record<string, { prototype: Record<symbol, unknown> }>)[kind]!;
      for (const key of Object.getOwnPropertySymbols(model.prototype)) {
        const add = model.prototype[key];
        if (typeof add === 'function') (add as () => void)();
      }
    }
  } finally {
    validate.register = register;
  }
  return { version, schemas };
}

/** The generated module's first line: the package version and a digest of the schemas it was made from. */
export function banner({ version, schemas }: { version: string; schemas: Map<string, object> }): string {
  const digest = createHash('sha256').update(JSON.stringify([...schemas])).digest('hex');
  return `/* Generated from ${PACKAGE} ${version} (schemas sha256 ${digest}) by \`npm run schemas:types\`. Do not edit. */`;
}

/** The generated module's text. */
export function generateArgoRollouts(): string {
  const source = packageSchemas();
  const { schemas } = source;
  const ajv = new Ajv.default({ strict: false, allErrors: true, code: { source: true } });
  for (const format of ['date-time', 'int32', 'int64']) ajv.addFormat(format, true);
  for (const [id, schema] of [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) ajv.addSchema(schema, id);
  const code = standaloneCode.default(ajv, Object.fromEntries(KINDS.map((k) => [k, `argoproj.io.v1alpha1.${k}`])));
  return `${banner(source)}\n${code}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(ARGO_ROLLOUTS_FILE, generateArgoRollouts());
  console.log(`wrote ${ARGO_ROLLOUTS_FILE}`);
}
