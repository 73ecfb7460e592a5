/**
 * Just enough of the ApplicationSet controller's cluster generator (and the merge generator
 * over it) to run gitops-bridge-style addon ApplicationSets against cluster Secrets: label
 * selectors (matchLabels; matchExpressions In, NotIn, Exists, DoesNotExist), the goTemplate
 * parameters (`name`, `nameNormalized`, `server`, `metadata.labels`, `metadata.annotations`,
 * `values`), merge on `server` with nested maps merged, and the template's strings rendered by
 * go-template.ts with missingkey=error: an annotation a template reads and the Secret lacks is an
 * error here (upstream, without missingkey=error, it would silently become `<no value>`).
 * Anything else is an error, so a fixture this cannot evaluate faithfully fails the test.
 */
import { renderGoTemplate } from './go-template.js';
import type { Obj } from './hub.js';

type Params = Record<string, unknown>;
interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}
interface Generator {
  clusters?: { selector?: Selector; values?: Record<string, string> };
  merge?: { mergeKeys: string[]; generators: Generator[] };
}

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values!.includes(labels[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has && r.values!.includes(labels[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unsupported selector operator ${String((r as { operator: unknown }).operator)}`);
    }
  }
  return true;
}

function clusterParams(secret: Obj): Params {
  const data = secret['stringData'] as Record<string, string>;
  return {
    name: data['name'],
    nameNormalized: data['name']!.toLowerCase().replace(/[^a-z0-9.-]/g, '-'),
    server: data['server'],
    metadata: { labels: secret.metadata.labels ?? {}, annotations: secret.metadata.annotations ?? {} },
  };
}

function mergeDeep(base: Params, over: Params): Params {
  const out: Params = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(v) ? mergeDeep(b as Params, v as Params) : v;
  }
  return out;
}

function run(generator: Generator, secrets: Obj[]): Params[] {
  const keys = Object.keys(generator);
  if (keys.length !== 1 || !['clusters', 'merge'].includes(keys[0]!)) throw new Error(`unsupported generator ${keys.join(', ')}`);
  if (generator.clusters) {
    const { selector, values = {} } = generator.clusters;
    return secrets.filter((s) => s.metadata.labels?.['argocd.argoproj.io/secret-type'] === 'cluster' && selects(selector, s.metadata.labels ?? {})).map((s) => ({ ...clusterParams(s), values }));
  }
  const { mergeKeys, generators } = generator.merge!;
  if (mergeKeys.join() !== 'server') throw new Error('only mergeKeys [server] is supported here');
  const [base, ...others] = generators.map((g) => run(g, secrets));
  return base!.map((p) => others.reduce((acc, list) => {
    const match = list.find((o) => o['server'] === p['server']);
    return match ? mergeDeep(acc, match) : acc;
  }, p));
}

function renderAll(node: unknown, params: Params): unknown {
  if (typeof node === 'string') return renderGoTemplate(node, params);
  if (Array.isArray(node)) return node.map((n) => renderAll(n, params));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, renderAll(v, params)]));
  return node;
}

/** The Applications an ApplicationSet generates from these cluster Secrets (their `metadata` and `spec`). */
export function generateApplications(appSet: Obj, secrets: Obj[]): { params: Params; application: { metadata: Record<string, unknown>; spec: Record<string, unknown> } }[] {
  const spec = appSet['spec'] as { goTemplate?: boolean; generators: Generator[]; template: unknown };
  if (spec.goTemplate !== true) throw new Error(`${appSet.metadata.name}: only goTemplate ApplicationSets are evaluated here`);
  return spec.generators.flatMap((g) => run(g, secrets)).map((params) => ({
    params,
    application: renderAll(spec.template, params) as { metadata: Record<string, unknown>; spec: Record<string, unknown> },
  }));
}
