/**
 * The CRDs an environment renders, as the schemas of that environment's custom resources: a
 * CustomResourceDefinition (apiextensions.k8s.io/v1) rendered anywhere in the environment
 * validates, strictly, every object whose group, kind and version it defines and serves,
 * with that version's schema.openAPIV3Schema read as the API server prunes (structural-schema.ts).
 *
 * Precedence (kubernetes-schema.ts applies it): a built-in model of a kind nobody declared is
 * used as it is, without looking at CRDs (so only custom resources read them); otherwise a CRD
 * rendered in the environment wins over a schema declared in schemas/crds/ for the same group,
 * version and kind; schemas/crds/ stays for kinds whose CRD is installed some other way. When
 * the environment's CRD of a group and kind does not serve the object's version, that is a
 * finding, whatever schemas/crds/ declares: the cluster would refuse the object.
 *
 * The CRDs are read through the check's sibling lookup (kind CustomResourceDefinition, no
 * namespace), on first need: the engine records the read with a digest of what it returned,
 * so a unit with a custom resource is checked again when a CRD of its environment changes,
 * and a unit without one does not depend on CRDs at all. When two units render a CRD of one
 * group and kind, the first in render order is used.
 *
 * Compiling a schema is the costly part (hundreds of custom resources may share one CRD): each
 * version's schema is compiled once per thread, cached by the digest of its content; a CRD
 * whose schema does not compile is a finding on the CRD itself (crdSchemaProblems), not a crash,
 * and its custom resources are left to that finding.
 */
import type { KubeObject } from '../charts/object.js';
import { pointerOf } from '../core/errors.js';
import { digest } from '../core/hash.js';
import type { KindValidator } from './strict-fields.js';
import { compileStructuralSchema, SchemaCompileError } from './structural-schema.js';

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
export const CRD_KIND = 'CustomResourceDefinition';

/** The check's sibling lookup (check.ts SiblingLookup), as far as CRDs need it. */
export interface ObjectLookup {
  (kind: string, namespace: string | undefined): readonly KubeObject[];
  /** Where an object the lookup returned was rendered: `<env>/<dir>/<file>` under rendered/. */
  pathOf?(object: KubeObject): string | undefined;
}

/** The CRD a schema came from: its name, and the file it was rendered in (from the project root) when known. */
export interface CrdRef {
  name: string;
  file?: string;
}

export type CrdResolution =
  /** The CRD serves the version: its schema. */
  | { status: 'schema'; validator: KindValidator; crd: CrdRef }
  /** The CRD defines the kind but does not serve the version. */
  | { status: 'not-served'; crd: CrdRef; served: string[] }
  /** The version's schema is missing or does not compile: crdSchemaProblems reports it on the CRD. */
  | { status: 'broken'; crd: CrdRef };

interface CrdVersion {
  name?: unknown;
  served?: unknown;
  schema?: { openAPIV3Schema?: unknown };
}

interface CrdSpec {
  group?: unknown;
  names?: { kind?: unknown; plural?: unknown };
  versions?: unknown;
}

interface IndexedCrd {
  object: KubeObject;
  ref: CrdRef;
  versions: CrdVersion[];
}

/** An environment's rendered CRDs, read through `lookup` when first asked. */
export class RenderedCrds {
  private byKind?: Map<string, IndexedCrd>;

  constructor(private readonly lookup: ObjectLookup) {}

  /** What the environment's CRDs say of `apiVersion` (group/version) and kind; undefined when none defines the kind. */
  resolve(apiVersion: string, kind: string): CrdResolution | undefined {
    const slash = apiVersion.indexOf('/');
    if (slash <= 0) return undefined; // the core group has no CRDs
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const crd = this.index().get(`${group}/${kind}`);
    if (!crd) return undefined;
    const served = crd.versions.filter((v) => v.served === true && typeof v.name === 'string').map((v) => v.name as string);
    const v = crd.versions.find((x) => x.name === version);
    if (!v || v.served !== true) return { status: 'not-served', crd: crd.ref, served };
    const schema = v.schema?.openAPIV3Schema;
    const compiled = schema && typeof schema === 'object' && !Array.isArray(schema) ? compiledSchema(schema as Record<string, unknown>) : undefined;
    if (!compiled || compiled instanceof Error) return { status: 'broken', crd: crd.ref };
    return { status: 'schema', validator: compiled, crd: crd.ref };
  }

  /** The kinds the environment's CRDs define in a group, with their CRDs (for did-you-mean). */
  kindsOf(group: string): { kind: string; crd: CrdRef }[] {
    const out: { kind: string; crd: CrdRef }[] = [];
    for (const [key, crd] of this.index()) if (key.slice(0, key.lastIndexOf('/')) === group) out.push({ kind: key.slice(key.lastIndexOf('/') + 1), crd: crd.ref });
    return out;
  }

  private index(): Map<string, IndexedCrd> {
    if (this.byKind) return this.byKind;
    this.byKind = new Map();
    for (const object of this.lookup(CRD_KIND, undefined)) {
      if (object.apiVersion !== CRD_API_VERSION) continue;
      const spec = (object as { spec?: CrdSpec }).spec;
      const group = spec?.group;
      const kind = spec?.names?.kind;
      if (typeof group !== 'string' || typeof kind !== 'string') continue;
      const key = `${group}/${kind}`;
      if (this.byKind.has(key)) continue; // the first in render order
      const path = this.lookup.pathOf?.(object);
      const ref: CrdRef = { name: String(object.metadata?.name), ...(path !== undefined && { file: `rendered/${path}` }) };
      this.byKind.set(key, { object, ref, versions: Array.isArray(spec!.versions) ? (spec!.versions as CrdVersion[]).filter((v) => v !== null && typeof v === 'object') : [] });
    }
    return this.byKind;
  }
}

/** Compiled schemas of this thread: by the schema object (the objects of one render), then by content. */
const byObject = new WeakMap<object, KindValidator | Error>();
const byDigest = new Map<string, KindValidator | Error>();

/** A version's schema compiled (once per thread and content), or ajv's refusal. */
export function compiledSchema(schema: Record<string, unknown>): KindValidator | Error {
  let compiled = byObject.get(schema);
  if (compiled) return compiled;
  const key = digest(JSON.stringify(schema));
  compiled = byDigest.get(key);
  if (!compiled) {
    try {
      compiled = compileStructuralSchema(schema, { pruning: true });
    } catch (e) {
      compiled = e instanceof Error ? e : new Error(String(e));
    }
    byDigest.set(key, compiled);
  }
  byObject.set(schema, compiled);
  return compiled;
}

export interface CrdProblem {
  pointer: string;
  message: string;
  hint?: string;
}

/**
 * What the API server would refuse in a CRD that its model does not check: a version without
 * a schema, a schema ajv cannot compile, a name other than `<plural>.<group>`.
 */
export function crdSchemaProblems(crd: KubeObject): CrdProblem[] {
  if (crd.apiVersion !== CRD_API_VERSION || crd.kind !== CRD_KIND) return [];
  const spec = (crd as { spec?: CrdSpec }).spec;
  const problems: CrdProblem[] = [];
  const { group } = spec ?? {};
  const plural = spec?.names?.plural;
  if (typeof group === 'string' && typeof plural === 'string' && crd.metadata?.name !== `${plural}.${group}`) {
    problems.push({ pointer: '/metadata/name', message: `a CRD's name must be <plural>.<group>: "${plural}.${group}"`, hint: 'the API server refuses a CRD named otherwise' });
  }
  const versions = Array.isArray(spec?.versions) ? (spec!.versions as unknown[]) : [];
  versions.forEach((v, i) => {
    if (v === null || typeof v !== 'object') return;
    const schema = (v as CrdVersion).schema?.openAPIV3Schema;
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      problems.push({
        pointer: pointerOf(['spec', 'versions', i, 'schema', 'openAPIV3Schema']),
        message: `version ${JSON.stringify((v as CrdVersion).name)} has no schema.openAPIV3Schema object`,
        hint: 'apiextensions.k8s.io/v1 requires a structural schema for every version',
      });
      return;
    }
    const compiled = compiledSchema(schema as Record<string, unknown>);
    if (compiled instanceof Error) {
      problems.push({
        pointer: pointerOf(['spec', 'versions', i, 'schema', 'openAPIV3Schema']) + (compiled instanceof SchemaCompileError ? compiled.pointer : ''),
        message: `the schema of version ${JSON.stringify((v as CrdVersion).name)} does not compile: ${compiled.message}`,
        hint: 'fix the schema (an OpenAPI v3 structural schema); the custom resources of this CRD are not checked until it compiles',
      });
    }
  });
  return problems;
}
