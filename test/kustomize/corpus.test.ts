/**
 * The Kustomize engine against its oracle: every case under test/kustomize/corpus/ is built by
 * `kubectl kustomize` (all of them in one batch before the tests, a few processes at a time) and
 * by kustomizeBuild from the same files, and the two outputs must hold the same objects (keyed by
 * apiVersion/kind/namespace/name, deep-equal). One test per case, so a failure names its case and
 * the paths that differ. A last block keeps the corpus from shrinking unnoticed: at least 40 cases,
 * and every field of the contract's supported list used by some kustomization.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { kustomizeBuild } from '../../generators/kustomize/build.js';
import { hasKubectl, kubectlKustomizeCached, type KubectlKustomizeResult } from './kubectl.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const corpusDir = join(import.meta.dirname, 'corpus');
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

interface Case {
  name: string;
  /** Project-relative root of the case (the app's directory for the engine). */
  root: string;
  /** Project-relative directory to build. */
  dir: string;
  /** Every file of the case, project-relative path -> text. */
  files: Map<string, string>;
}

const cases: Case[] = readdirSync(corpusDir)
  .filter((name) => statSync(join(corpusDir, name)).isDirectory())
  .sort()
  .map(loadCase);

function loadCase(name: string): Case {
  const abs = join(corpusDir, name);
  const root = toProjectPath(abs);
  const files = new Map<string, string>();
  for (const file of walk(abs)) files.set(toProjectPath(file), readFileSync(file, 'utf8'));
  const spec = files.get(`${root}/case.json`);
  const build = spec === undefined ? '.' : (JSON.parse(spec) as { build?: string }).build ?? '.';
  return { name, root, dir: posix.normalize(posix.join(root, build)).replace(/\/$/, ''), files };
}

/** Digest of a case's build: the directory built and every file of the case, path and content. */
function digestOf(c: Case): string {
  const hash = createHash('sha256').update(`${c.dir}\0`);
  for (const path of [...c.files.keys()].sort()) hash.update(`${path}\0${c.files.get(path)}\0`);
  return hash.digest('hex');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function toProjectPath(abs: string): string {
  return relative(repoRoot, abs).split(sep).join('/');
}

if (!hasKubectl) console.warn('test/kustomize/corpus.test.ts: kubectl is not on PATH; the comparisons of kustomizeBuild with `kubectl kustomize` are skipped');

describe.skipIf(!hasKubectl)('kustomizeBuild matches kubectl kustomize on the corpus', () => {
  const oracle = new Map<string, KubectlKustomizeResult>();
  beforeAll(async () => {
    // kubectl reads nothing outside the case directory (the engine is held to the same root), so
    // the case's files are the whole input of its build: they key kubectl's cached output.
    const results = await kubectlKustomizeCached(cases.map((c) => ({ dir: join(repoRoot, c.dir), inputs: digestOf(c) })), 3);
    results.forEach((result, i) => oracle.set(cases[i]!.name, result));
  });

  /** Cases whose objects matched, with both sides' object keys in output order. */
  const matched = new Map<string, { want: string[]; got: string[] }>();

  for (const c of cases) {
    it(c.name, () => {
      const expected = oracle.get(c.name);
      if (!expected) throw new Error(`no kubectl result for ${c.name}`);
      if (!expected.ok) throw new Error(`kubectl refuses this corpus case (fix or drop it):\n${expected.error}`);
      const built = kustomizeBuild({ files: c.files, dir: c.dir, root: c.root });
      for (const { file } of built) expect(c.files.has(file), `an object's source file ${file} is not a file of the case`).toBe(true);
      const actual = built.map((b) => b.object);
      const problems = compareObjectSets(expected.objects, actual);
      if (problems.length > 0) throw new Error(`${c.name}: kustomizeBuild differs from kubectl kustomize ${c.dir}\n${problems.join('\n')}`);
      matched.set(c.name, { want: expected.objects.map(keyOf), got: actual.map(keyOf) });
    });
  }

  // The contract also promises Kustomize's output order; kept apart from the content checks above.
  it('gives the objects in kubectl\'s order (cases whose objects match)', () => {
    const misordered = [...matched].filter(([, { want, got }]) => want.join('\n') !== got.join('\n'));
    const report = misordered.map(([name, { want, got }]) => `${name}:\n  kubectl:        ${want.join(', ')}\n  kustomizeBuild: ${got.join(', ')}`);
    expect(report, 'cases whose objects come out in another order').toEqual([]);
  });
});

/** Differences between kubectl's objects and the engine's, as readable lines (empty when equal). */
function compareObjectSets(expected: readonly object[], actual: readonly object[]): string[] {
  const problems: string[] = [];
  const want = keyed(expected, 'kubectl', problems);
  const got = keyed(actual, 'kustomizeBuild', problems);
  for (const key of want.keys()) if (!got.has(key)) problems.push(`missing object ${key} (kubectl has it)`);
  for (const key of got.keys()) if (!want.has(key)) problems.push(`extra object ${key} (kubectl does not have it)`);
  for (const [key, object] of want) {
    const other = got.get(key);
    if (other === undefined) continue;
    const diffs = diffValues(object, other, '');
    if (diffs.length === 0) continue;
    problems.push(`object ${key} differs at:`);
    for (const diff of diffs.slice(0, 15)) problems.push(`  ${diff}`);
    if (diffs.length > 15) problems.push(`  ... and ${diffs.length - 15} more`);
  }
  return problems;
}

/** apiVersion/kind/namespace/name of an object. */
function keyOf(object: object): string {
  const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  return `${String(o.apiVersion)}/${String(o.kind)}/${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name)}`;
}

function keyed(objects: readonly object[], side: string, problems: string[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const object of objects) {
    const key = keyOf(object);
    if (map.has(key)) problems.push(`${side} gives ${key} twice`);
    map.set(key, object);
  }
  return map;
}

/** JSON pointers where two JSON values differ, each with kubectl's value and the engine's. */
function diffValues(want: unknown, got: unknown, pointer: string): string[] {
  if (isRecord(want) && isRecord(got)) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
    return keys.flatMap((k) => diffValues(want[k], got[k], `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  if (Array.isArray(want) && Array.isArray(got)) {
    if (want.length !== got.length) return [`${pointer || '/'}: kubectl has ${want.length} items, kustomizeBuild ${got.length}: kubectl ${show(want)}, kustomizeBuild ${show(got)}`];
    return want.flatMap((item, i) => diffValues(item, got[i], `${pointer}/${i}`));
  }
  if (Object.is(want, got)) return [];
  return [`${pointer || '/'}: kubectl ${show(want)}, kustomizeBuild ${show(got)}`];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

describe('the Kustomize corpus', () => {
  /** Every kustomization file of the corpus, parsed. */
  const kustomizations = cases.flatMap((c) =>
    [...c.files].filter(([path]) => KUSTOMIZATION_NAMES.includes(posix.basename(path))).map(([path, text]) => ({ path, data: yaml.load(text, { schema: yaml.CORE_SCHEMA }) })),
  );
  /** Every key path used in them, list items as [] (e.g. patches[].target.labelSelector). */
  const used = new Set<string>();
  for (const k of kustomizations) {
    collectKeyPaths(k.data, '', used);
    // A replacements entry with a path holds its replacements in that file (one, or a list).
    for (const entry of listOf(k.data, 'replacements')) {
      if (!isRecord(entry) || typeof entry.path !== 'string') continue;
      const text = cases.find((c) => k.path.startsWith(`${c.root}/`))?.files.get(posix.join(posix.dirname(k.path), entry.path));
      if (text !== undefined) collectKeyPaths(yaml.load(text, { schema: yaml.CORE_SCHEMA }), 'replacements[]', used);
    }
  }
  /** The text of every file, for what lives in patch files (directives, JSON patch operations). */
  const allText = cases.flatMap((c) => [...c.files.values()]).join('\n');

  it('holds at least 40 cases, each with a note saying what it covers and a kustomization at its build entry', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) {
      const note = (JSON.parse(c.files.get(`${c.root}/case.json`) ?? '{}') as { note?: unknown }).note;
      expect(typeof note === 'string' && note.length > 20, `${c.name}/case.json has no note`).toBe(true);
      const entry = KUSTOMIZATION_NAMES.map((n) => `${c.dir}/${n}`).filter((p) => c.files.has(p));
      expect(entry, `${c.name} has no kustomization at ${c.dir}`).toHaveLength(1);
      expect(c.dir === c.root || c.dir.startsWith(`${c.root}/`), `${c.name} builds outside its directory`).toBe(true);
    }
  });

  it('uses every supported kustomization field somewhere', () => {
    const missing = SUPPORTED_FIELDS.filter((field) => !used.has(field));
    expect(missing, 'fields of the contract no corpus case uses').toEqual([]);
  });

  it('names a generator file with a key (key=path) and an inline patchesStrategicMerge entry', () => {
    const files = kustomizations.flatMap((k) => listOf(k.data, 'configMapGenerator').flatMap((g) => listOf(g, 'files')));
    expect(files.some((f) => typeof f === 'string' && f.includes('='))).toBe(true);
    const smp = kustomizations.flatMap((k) => listOf(k.data, 'patchesStrategicMerge'));
    expect(smp.some((p) => typeof p === 'string' && p.includes('\n'))).toBe(true);
  });

  it('exercises the strategic merge directives and every JSON 6902 operation', () => {
    const missing = PATCH_FEATURES.filter(([, pattern]) => !pattern.test(allText)).map(([name]) => name);
    expect(missing, 'patch features no corpus case uses').toEqual([]);
  });

  it('includes the kinds the engine must know how to rename, label and patch', () => {
    const kinds = new Set([...allText.matchAll(/^kind:\s*(\S+)\s*$/gm)].map((m) => m[1]));
    const missing = KINDS.filter((kind) => !kinds.has(kind));
    expect(missing, 'kinds no corpus case uses').toEqual([]);
  });
});

function listOf(value: unknown, key: string): unknown[] {
  const list = isRecord(value) ? value[key] : undefined;
  return Array.isArray(list) ? list : [];
}

function collectKeyPaths(value: unknown, prefix: string, into: Set<string>): void {
  if (Array.isArray(value)) {
    // A list at the top of a replacements file is the list of replacements itself.
    for (const item of value) collectKeyPaths(item, prefix.endsWith('[]') ? prefix : `${prefix}[]`, into);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    into.add(path);
    collectKeyPaths(child, path, into);
  }
}

/** The contract's supported kustomization fields, as key paths (see the list in the helpers' brief). */
const SUPPORTED_FIELDS = [
  'resources',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'labels[].pairs',
  'labels[].includeSelectors',
  'labels[].includeTemplates',
  'commonLabels',
  'commonAnnotations',
  'images[].name',
  'images[].newName',
  'images[].newTag',
  'images[].digest',
  'replicas[].name',
  'replicas[].count',
  'patches[].path',
  'patches[].patch',
  'patches[].target.group',
  'patches[].target.version',
  'patches[].target.kind',
  'patches[].target.name',
  'patches[].target.namespace',
  'patches[].target.labelSelector',
  'patches[].target.annotationSelector',
  'patchesStrategicMerge',
  'patchesJson6902[].target',
  'patchesJson6902[].path',
  'patchesJson6902[].patch',
  'configMapGenerator[].name',
  'configMapGenerator[].namespace',
  'configMapGenerator[].files',
  'configMapGenerator[].literals',
  'configMapGenerator[].envs',
  'configMapGenerator[].behavior',
  'configMapGenerator[].options.labels',
  'configMapGenerator[].options.annotations',
  'configMapGenerator[].options.disableNameSuffixHash',
  'generatorOptions.labels',
  'generatorOptions.annotations',
  'generatorOptions.disableNameSuffixHash',
  'replacements[].path',
  'replacements[].source.kind',
  'replacements[].source.name',
  'replacements[].source.namespace',
  'replacements[].source.fieldPath',
  'replacements[].source.options.delimiter',
  'replacements[].source.options.index',
  'replacements[].targets[].select.kind',
  'replacements[].targets[].select.name',
  'replacements[].targets[].select.labelSelector',
  'replacements[].targets[].reject',
  'replacements[].targets[].fieldPaths',
  'replacements[].targets[].options.delimiter',
  'replacements[].targets[].options.index',
  'replacements[].targets[].options.create',
];

/** Features that live in patch files and inline patches, found by their text. */
const PATCH_FEATURES: [string, RegExp][] = [
  ['$patch: delete on a list item', /^\s+(- )?\$patch: delete$/m],
  ['$patch: delete of a whole object', /^\$patch: delete$/m],
  ['$patch: replace', /\$patch: replace/],
  ['null deleting a field', /:\s+null$/m],
  ['JSON 6902 add', /op"?:\s*"?add/],
  ['JSON 6902 add at /-', /path"?:\s*"?\S*\/-"?$/m],
  ['JSON 6902 remove', /op"?:\s*"?remove/],
  ['JSON 6902 replace', /op"?:\s*"?replace/],
  ['JSON 6902 move', /op"?:\s*"?move/],
  ['JSON 6902 copy', /op"?:\s*"?copy/],
  ['JSON 6902 test', /op"?:\s*"?test/],
  ['list selector in a replacement field path', /\.\[name=[^\]]+\]/],
];

const KINDS = [
  'Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Pod', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount',
  'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
  'PersistentVolumeClaim', 'Namespace', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'NetworkPolicy', 'Component',
];
