/**
 * Schemas of kinds the installed models do not know, declared by the project: one JSON Schema
 * per kind in schemas/crds/<group>/<kind>_<version>.json, kind in lower case. That is the
 * layout of the community CRDs catalog (and of kubeconform's `-schema-location`), so a schema
 * can be dropped in from there, or written from the CRD's openAPIV3Schema.
 *
 * Pure: works on the SourceSet the loader read. A declared schema takes precedence over a
 * built-in model of the same apiVersion and kind; a CRD rendered in the environment takes
 * precedence over a declared schema of the same group, version and kind (rendered-crds.ts):
 * schemas/crds/ is for kinds whose CRD is installed some other way. The schema is read as
 * structural-schema.ts says, with formats checked and object schemas without properties free-form.
 */
import { BridgeError, ErrorSink } from '../core/errors.js';
import type { SourceSet } from '../load/sources.js';
import { parseJson } from '../load/yaml.js';
import type { KindValidator } from './strict-fields.js';
import { compileStructuralSchema } from './structural-schema.js';

export { openApiToJsonSchema } from './structural-schema.js';

export const CRDS_DIR = 'schemas/crds';
const CRD_FILE = /^schemas\/crds\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]+)_([a-z0-9]+)\.json$/;

export interface DeclaredEntry {
  validator: KindValidator;
  file: string;
}

export class DeclaredSchemas {
  /** `<group>/<version>/<kind lower-case>` -> entry. */
  private readonly entries = new Map<string, DeclaredEntry>();
  private readonly kindNames = new Map<string, Set<string>>();

  add(group: string, version: string, kind: string, entry: DeclaredEntry): void {
    this.entries.set(`${group}/${version}/${kind.toLowerCase()}`, entry);
    const apiVersion = `${group}/${version}`;
    if (!this.kindNames.has(apiVersion)) this.kindNames.set(apiVersion, new Set());
    this.kindNames.get(apiVersion)!.add(kind);
  }

  get(apiVersion: string, kind: string): DeclaredEntry | undefined {
    if (!apiVersion.includes('/')) return undefined;
    return this.entries.get(`${apiVersion}/${kind.toLowerCase()}`);
  }

  /** Kinds declared for an apiVersion (lower-case file names), for did-you-mean. */
  kinds(apiVersion: string): Set<string> {
    return this.kindNames.get(apiVersion) ?? new Set();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Compiles every schemas/crds/ file of the source set; problems are thrown together. */
export function loadDeclaredSchemas(sources: SourceSet): DeclaredSchemas {
  const declared = new DeclaredSchemas();
  const errors = new ErrorSink();
  const files = [...sources.keys()].filter((f) => f.startsWith(`${CRDS_DIR}/`));
  if (files.length === 0) return declared;
  for (const file of files) {
    const m = CRD_FILE.exec(file);
    if (!m) {
      errors.add({
        code: 'invalid-name',
        message: 'unexpected file in schemas/crds/',
        file,
        hint: 'declare a kind as schemas/crds/<group>/<kind>_<version>.json, kind in lower case (e.g. schemas/crds/example.com/widget_v1.json)',
      });
      continue;
    }
    const [, group, , kind, version] = m;
    errors.guard(() => {
      const schema = parseJson(sources.get(file)!, file);
      if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
        throw new BridgeError({ code: 'schema', message: 'a declared schema must be a JSON Schema object', file, hint: 'see the CRDs catalog for the expected form' });
      }
      let validator: KindValidator;
      try {
        validator = compileStructuralSchema(schema as Record<string, unknown>, { pruning: false });
      } catch (e) {
        throw new BridgeError({ code: 'schema', message: `the declared schema does not compile: ${(e as Error).message}`, file, hint: 'it must be a JSON Schema (draft-07), as in the CRDs catalog' });
      }
      declared.add(group!, version!, kind!, { validator, file });
    });
  }
  errors.throwIfAny();
  return declared;
}
