/**
 * Schema stage of the check: every rendered object against the OpenAPI schema of its kind and
 * version, strictly (unknown fields are errors, as in kubeconform's strict mode).
 *
 * Built-in kinds come from @kubernetes-models (precompiled ajv validators): Kubernetes 1.33 from
 * kubernetes-models 4.x, Argo CD from @kubernetes-models/argo-cd, External Secrets from
 * @kubernetes-models/external-secrets, Argo Rollouts' Rollout and AnalysisTemplate from
 * argo-rollouts.gen.cjs (precompiled from @kubernetes-models/argo-rollouts: see
 * generate-argo-rollouts.ts). The registry below is static, keyed by apiVersion, and
 * loads one kind's module on first use (synchronously, so the check stays a plain function):
 * loading every model up front costs over a second, loading the dozen kinds a fleet uses about
 * 100 ms. Other kinds are refused unless a CRD rendered in the environment defines them
 * (rendered-crds.ts) or their schema is declared in schemas/crds/ (declared-schemas.ts).
 *
 * Which schema checks an object: a built-in model, when schemas/crds/ declares nothing for the
 * kind (no CRD is read then: only custom resources depend on the environment's CRDs); else a CRD
 * rendered in the environment that defines the group and kind (a version it does not serve is a
 * finding); else the declared schema; else the model; else the kind is refused. A rendered
 * CustomResourceDefinition is itself checked by its model and by rendered-crds.ts (its schemas
 * must compile).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { KubeObject } from '../charts/object.js';
import { closest, compareStrings } from '../core/strings.js';
import type { DeclaredSchemas } from './declared-schemas.js';
import { crdSchemaProblems, type CrdRef, type RenderedCrds } from './rendered-crds.js';
import { modelValidator, StrictValidator, type AjvError, type CompiledValidator, type KindValidator, type Model } from './strict-fields.js';

const require = createRequire(import.meta.url);

interface GroupVersion {
  /** Module path of the group-version in its package; a kind is `<module>/<Kind>`. */
  module: string;
  /** The apiVersion the model validates (when a served version is checked with an older model of the same shape). */
  modelApiVersion?: string;
}

/**
 * The group-versions a Kubernetes 1.33 API server serves (kubernetes-models 4.x also carries
 * long-removed betas such as policy/v1beta1: a manifest using one would fail to apply, so they
 * are left out), plus the custom resources whose models are installed.
 */
export const BUILT_IN: Readonly<Record<string, GroupVersion>> = {
  v1: { module: 'kubernetes-models/v1' },
  'admissionregistration.k8s.io/v1': { module: 'kubernetes-models/admissionregistration.k8s.io/v1' },
  'apiextensions.k8s.io/v1': { module: 'kubernetes-models/apiextensions.k8s.io/v1' },
  'apiregistration.k8s.io/v1': { module: 'kubernetes-models/apiregistration.k8s.io/v1' },
  'apps/v1': { module: 'kubernetes-models/apps/v1' },
  'authentication.k8s.io/v1': { module: 'kubernetes-models/authentication.k8s.io/v1' },
  'authorization.k8s.io/v1': { module: 'kubernetes-models/authorization.k8s.io/v1' },
  'autoscaling/v1': { module: 'kubernetes-models/autoscaling/v1' },
  'autoscaling/v2': { module: 'kubernetes-models/autoscaling/v2' },
  'batch/v1': { module: 'kubernetes-models/batch/v1' },
  'certificates.k8s.io/v1': { module: 'kubernetes-models/certificates.k8s.io/v1' },
  'coordination.k8s.io/v1': { module: 'kubernetes-models/coordination.k8s.io/v1' },
  'discovery.k8s.io/v1': { module: 'kubernetes-models/discovery.k8s.io/v1' },
  'events.k8s.io/v1': { module: 'kubernetes-models/events.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1': { module: 'kubernetes-models/flowcontrol.apiserver.k8s.io/v1' },
  'networking.k8s.io/v1': { module: 'kubernetes-models/networking.k8s.io/v1' },
  'node.k8s.io/v1': { module: 'kubernetes-models/node.k8s.io/v1' },
  'policy/v1': { module: 'kubernetes-models/policy/v1' },
  'rbac.authorization.k8s.io/v1': { module: 'kubernetes-models/rbac.authorization.k8s.io/v1' },
  'scheduling.k8s.io/v1': { module: 'kubernetes-models/scheduling.k8s.io/v1' },
  'storage.k8s.io/v1': { module: 'kubernetes-models/storage.k8s.io/v1' },
  'argoproj.io/v1alpha1': { module: '@kubernetes-models/argo-cd/argoproj.io/v1alpha1' },
  // The installed external-secrets models stop at v1beta1, whose ExternalSecret/SecretStore
  // specs are the ones v1 serves; the v1 objects are checked against them.
  'external-secrets.io/v1': { module: '@kubernetes-models/external-secrets/external-secrets.io/v1beta1', modelApiVersion: 'external-secrets.io/v1beta1' },
  'external-secrets.io/v1beta1': { module: '@kubernetes-models/external-secrets/external-secrets.io/v1beta1' },
};

export interface SchemaProblem {
  pointer: string;
  message: string;
  hint?: string;
}

interface ModelClass extends Model {
  apiVersion?: string;
  kind?: string;
}

interface Entry {
  validator: KindValidator;
  /** The apiVersion to show the validator (a model of an older version of the same shape). */
  apiVersion?: string;
}

/**
 * Properties the models declare (their .d.ts has them) but their precompiled validators never
 * read: the model generator strips `description` and `x-kubernetes-*` keys from schemas, and
 * with them properties of those names. By model and normalised path (indices and map keys `*`).
 */
const JSON_SCHEMA_EXTRAS = ['description', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations'];
const DROPPED_BY_GENERATOR: Readonly<Record<string, (path: string) => readonly string[]>> = {
  'scheduling.k8s.io/v1/PriorityClass': (p) => (p === '' ? ['description'] : []),
  'argoproj.io/v1alpha1/AppProject': (p) => (p === '/spec' || p === '/spec/roles/*' ? ['description'] : []),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': (p) =>
    p.startsWith('/spec/versions/*/schema/openAPIV3Schema') ? JSON_SCHEMA_EXTRAS : p === '/spec/versions/*/additionalPrinterColumns/*' ? ['description'] : [],
};

/**
 * Kinds whose validators argo-rollouts.gen.cjs holds (the Argo CD models of argoproj.io/v1alpha1
 * have no such kinds). The file is copied beside the build (cli/build.mjs COPIED).
 */
const PRECOMPILED: Readonly<Record<string, { file: string; kinds: readonly string[] }>> = {
  'argoproj.io/v1alpha1': { file: './argo-rollouts.gen.cjs', kinds: ['Rollout', 'AnalysisTemplate'] },
};

const KIND = /^[A-Z][A-Za-z0-9]*$/;
const builtIn = new Map<string, Entry | null>();

/** The model validator of a built-in kind, loaded once; null when the package has no such kind. */
function builtInEntry(apiVersion: string, kind: string): Entry | null {
  const key = `${apiVersion}/${kind}`;
  const cached = builtIn.get(key);
  if (cached !== undefined) return cached;
  const gv = BUILT_IN[apiVersion];
  let entry: Entry | null = null;
  const pre = PRECOMPILED[apiVersion];
  if (pre?.kinds.includes(kind)) {
    const validate = (require(pre.file) as Record<string, CompiledValidator>)[kind]!;
    entry = { validator: new StrictValidator(validate) };
  } else if (gv && KIND.test(kind)) {
    let model: ModelClass | undefined;
    try {
      model = (require(`${gv.module}/${kind}`) as Record<string, ModelClass>)[kind];
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    }
    // Only top-level kinds carry apiVersion/kind (DeploymentSpec is a model, not a kind).
    if (model?.kind === kind && model.apiVersion === (gv.modelApiVersion ?? apiVersion)) {
      const validator = new StrictValidator(modelValidator(model), DROPPED_BY_GENERATOR[key]);
      entry = { validator, ...(gv.modelApiVersion !== undefined && { apiVersion: gv.modelApiVersion }) };
    }
  }
  builtIn.set(key, entry);
  return entry;
}

/**
 * Every schema problem of one object: unknown kind, invalid values, unknown fields. `crds`: the
 * environment's rendered CRDs (read only for a kind no built-in model covers alone, see the header).
 */
export function validateKubernetesObject(object: KubeObject, declared?: DeclaredSchemas, crds?: RenderedCrds): SchemaProblem[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ pointer: typeof apiVersion !== 'string' ? '/apiVersion' : '/kind', message: 'an object needs a string apiVersion and kind' }];
  }
  const model = builtInEntry(apiVersion, kind);
  const decl = declared?.get(apiVersion, kind);
  let entry: Entry | null | undefined = decl ?? model;
  let crd: CrdRef | undefined;
  if (!model || decl) {
    const rendered = crds?.resolve(apiVersion, kind);
    if (rendered?.status === 'not-served') return [notServed(apiVersion, kind, rendered.crd, rendered.served)];
    // The CRD's own finding (crdSchemaProblems) stops the render; its objects wait for a schema that compiles.
    if (rendered?.status === 'broken') return [];
    if (rendered) {
      entry = { validator: rendered.validator };
      crd = rendered.crd;
    }
  }
  if (!entry) return [unknownKind(apiVersion, kind, declared, crds)];
  const data = entry.apiVersion !== undefined ? { ...object, apiVersion: entry.apiVersion } : object;
  const result = entry.validator.check(data);
  const schema = crd ? `the ${apiVersion} ${kind} schema of ${crdName(crd)}` : `the ${apiVersion} ${kind} schema`;
  const problems: SchemaProblem[] = [];
  for (const u of result.unknown) {
    problems.push({
      pointer: u.pointer,
      message: `unknown field "${u.field}" (not in ${schema})`,
      hint: u.suggestion !== undefined ? `did you mean "${u.suggestion}"?` : u.declared.length ? `fields allowed here: ${u.declared.join(', ')}` : 'remove it',
    });
  }
  for (const e of simplify(result.errors)) {
    const p = describe(e, apiVersion, crd ? "the CRD's schema" : 'the Kubernetes API reference');
    problems.push(crd ? { ...p, message: `${p.message} (${schema})` } : p);
  }
  problems.push(...crdSchemaProblems(object));
  return problems.sort((a, b) => compareStrings(a.pointer, b.pointer));
}

/** `CRD <name> (rendered/<env>/<dir>/<file>)`: which schema refused an object. */
function crdName(crd: CrdRef): string {
  return `CRD ${crd.name}${crd.file !== undefined ? ` (${crd.file})` : ''}`;
}

function notServed(apiVersion: string, kind: string, crd: CrdRef, served: string[]): SchemaProblem {
  const group = apiVersion.slice(0, apiVersion.indexOf('/'));
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const guess = closest(version, served);
  return {
    pointer: '/apiVersion',
    message: `${kind} version "${version}" is not served by ${crdName(crd)}${served.length ? `, which serves ${served.join(', ')}` : ', which serves no version'}`,
    hint: served.length ? `use ${served.map((v) => `${group}/${v}`).join(' or ')}${guess !== undefined && served.length > 1 ? ` (did you mean "${group}/${guess}"?)` : ''}` : 'serve a version in the CRD (spec.versions[].served: true)',
  };
}

function unknownKind(apiVersion: string, kind: string, declared?: DeclaredSchemas, crds?: RenderedCrds): SchemaProblem {
  const gv = BUILT_IN[apiVersion];
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const declaredFile = `schemas/crds/${group || '<group>'}/${kind.toLowerCase()}_${apiVersion.slice(slash + 1)}.json`;
  const rendered = group ? (crds?.kindsOf(group) ?? []) : [];
  if (gv) {
    const guess = closest(kind, [...builtInKinds(gv), ...(PRECOMPILED[apiVersion]?.kinds ?? []), ...(declared?.kinds(apiVersion) ?? []), ...rendered.map((r) => r.kind)]);
    return {
      pointer: '/kind',
      message: `${apiVersion} has no kind "${kind}"`,
      hint: guess ? `did you mean "${guess}"?` : `check the kind; render its CustomResourceDefinition in this environment, or declare its schema in ${declaredFile}`,
    };
  }
  if (rendered.length > 0) {
    const guess = closest(kind, [...rendered.map((r) => r.kind), ...(declared?.kinds(apiVersion) ?? [])]);
    return {
      pointer: '/kind',
      message: `no CRD of this environment defines ${group} kind "${kind}" (its ${group} CRDs: ${rendered.map((r) => `${r.kind} in ${crdName(r.crd)}`).join(', ')})`,
      hint: guess ? `did you mean "${guess}"?` : `check the kind; if its CRD is installed some other way, declare its schema in ${declaredFile}`,
    };
  }
  const served = Object.keys(BUILT_IN).filter((v) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '') === group);
  if (served.length > 0) {
    return {
      pointer: '/apiVersion',
      message: `apiVersion "${apiVersion}" is not served by Kubernetes 1.33 (or has no installed model)`,
      hint: `use ${served.join(' or ')}, or declare the schema in ${declaredFile}`,
    };
  }
  const guess = closest(kind, [...(declared?.kinds(apiVersion) ?? [])]);
  return {
    pointer: '/apiVersion',
    message: `no schema for ${apiVersion} ${kind}: a kind without a schema is refused`,
    hint: guess ? `did you mean "${guess}"?` : `render its CustomResourceDefinition in this environment, or declare its schema (a JSON Schema, e.g. from the CRDs catalog) in ${declaredFile}`,
  };
}

/** Kinds of a built-in group-version, from the module files (only read to suggest a name). */
function builtInKinds(gv: GroupVersion): string[] {
  try {
    const dir = dirname(require.resolve(gv.module));
    return readdirSync(dir).filter((f) => /^[A-Z][A-Za-z0-9]*\.js$/.test(f) && !/(Spec|Status|List|Condition)\.js$/.test(f)).map((f) => f.slice(0, -3));
  } catch {
    return [];
  }
}

/**
 * One message per place: an int-or-string's failed branches and a type error's enum are noise
 * next to the error that says what is wrong.
 */
function simplify(errors: AjvError[]): AjvError[] {
  const byPath = new Map<string, AjvError[]>();
  for (const e of errors) {
    if (!byPath.has(e.instancePath)) byPath.set(e.instancePath, []);
    byPath.get(e.instancePath)!.push(e);
  }
  const out: AjvError[] = [];
  for (const list of byPath.values()) {
    const union = list.some((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
    let kept = union ? list.filter((e) => e.keyword !== 'type') : list;
    if (kept.some((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf')) kept = kept.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    const required = kept.filter((e) => e.keyword === 'required');
    const seen = new Set<string>();
    for (const e of required) {
      const key = JSON.stringify(e.params);
      if (!seen.has(key)) out.push(e);
      seen.add(key);
    }
    const first = kept.find((e) => e.keyword !== 'required');
    if (first) out.push(first);
  }
  return out;
}

function describe(e: AjvError, apiVersion: string, reference: string): SchemaProblem {
  const field = e.instancePath.split('/').pop() || '(object)';
  const pointer = e.instancePath || '/';
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { pointer, message: `missing required field "${String(p.missingProperty)}"`, hint: `add "${String(p.missingProperty)}" here` };
    case 'type':
      return { pointer, message: `"${field}" must be of type ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}`, hint: `quote numbers meant as strings; check ${reference} for this field` };
    case 'enum':
      if (e.instancePath === '/apiVersion') return { pointer, message: `apiVersion must be ${apiVersion}`, hint: 'the schema was chosen by this apiVersion' };
      return { pointer, message: `"${field}" must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, hint: 'use one of the listed values' };
    case 'format':
      return { pointer, message: `"${field}" is not a valid ${String(p.format)}`, hint: p.format === 'quantity' ? 'use a Kubernetes quantity, e.g. 250m, 1, 512Mi' : `check the value against ${reference}` };
    case 'oneOf':
    case 'anyOf':
      return { pointer, message: `"${field}" does not match any allowed form`, hint: 'an int-or-string field takes a number or a string (e.g. 8080 or "http")' };
    default:
      return { pointer, message: `"${field}" ${e.message ?? `fails ${e.keyword} ${JSON.stringify(p)}`}`, hint: `check the value against ${reference}` };
  }
}
