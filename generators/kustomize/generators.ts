/**
 * configMapGenerator: a ConfigMap from env files, literals and files (in that order, as Kustomize
 * reads them), keys checked as Kubernetes does, labels/annotations/immutable from the options;
 * marked for the content-hash name suffix unless disableNameSuffixHash. `absorb` puts a generated
 * object into the build with its behaviour: create (must be new), merge or replace (an earlier
 * one with the same id, whose name, namespace and history it keeps).
 */
import type { KubeObject } from '../charts/object.js';
import { referenceIn } from '../load/interpolate.js';
import { kustomizeError } from './errors.js';
import type { ConfigMapArgs, Kustomization } from './kustomization.js';
import { basename } from './paths.js';
import { idEquals, idString, Resource } from './resource.js';

const KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export interface FileReader {
  /** Reads a file named relative to kustomization `k` (under its directory), reporting at `pointer`. */
  readText(k: Kustomization, rel: string, pointer: string): string;
}

function checkKey(key: string, where: () => never): void {
  if (key.length > 253 || !KEY.test(key) || key === '.' || key === '..' || key.startsWith('..')) where();
}

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

export function generateConfigMap(k: Kustomization, args: ConfigMapArgs, reader: FileReader): Resource {
  const fail = (pointer: string, message: string, hint: string): never => {
    throw kustomizeError({ file: k.file, pointer, doc: k.doc }, message, hint);
  };
  /** Env and generator files are read as they are: a bridge reference there would reach the ConfigMap unresolved. */
  const asIs = (text: string, rel: string, pointer: string): string => {
    const ref = referenceIn(text);
    if (ref !== undefined) {
      fail(pointer, `${rel} holds \${${ref}}, but env and generator files are read as they are: it would reach ConfigMap '${args.name}' unresolved`, 'move the value to a `literals:` entry of this configMapGenerator (KEY=${bridge.<key>}), where references resolve');
    }
    return text;
  };
  const pairs: [string, string, string][] = [];
  for (const env of args.envs) {
    const text = asIs(reader.readText(k, env.value, env.pointer), env.value, env.pointer);
    text.replace(/^\uFEFF/, '').split('\n').forEach((raw, n) => {
      const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
      if (line === '' || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (!ENV_NAME.test(key)) fail(env.pointer, `line ${n + 1} of ${env.value}: '${key}' is not a valid environment variable name`, 'use KEY=value lines with letters, digits, -, _ and .');
      pairs.push([key, eq < 0 ? '' : line.slice(eq + 1), env.pointer]);
    });
  }
  for (const lit of args.literals) {
    const eq = lit.value.indexOf('=');
    if (eq <= 0) fail(lit.pointer, `invalid literal '${lit.value}', expected key=value`, 'write each literal as KEY=value');
    pairs.push([lit.value.slice(0, eq), removeQuotes(lit.value.slice(eq + 1)), lit.pointer]);
  }
  for (const f of args.files) {
    const s = f.value;
    const eqs = s.split('=').length - 1;
    let key: string;
    let path: string;
    if (eqs === 0) [key, path] = [basename(s), s];
    else if (eqs === 1 && s.startsWith('=')) fail(f.pointer, `missing key name for file path '${s.slice(1)}'`, 'write key=path, or just the path to use the file name as the key');
    else if (eqs === 1 && s.endsWith('=')) fail(f.pointer, `missing file path for key name '${s.slice(0, -1)}'`, 'write key=path, the path relative to the kustomization');
    else if (eqs > 1) fail(f.pointer, `'${s}': key name or file path contains '='`, 'write key=path with one =; rename a file whose name holds one');
    [key, path] = eqs === 0 ? [basename(s), s] : (s.split('=') as [string, string]);
    pairs.push([key, asIs(reader.readText(k, path, f.pointer), path, f.pointer), f.pointer]);
  }
  const data: Record<string, string> = {};
  for (const [key, value, pointer] of pairs) {
    checkKey(key, () => fail(pointer, `'${key}' is not a valid ConfigMap key`, "keys may hold letters, digits, '-', '_' and '.'"));
    if (key in data) fail(pointer, `ConfigMap '${args.name}' repeats the key '${key}'`, 'each key may come once from envs, literals and files together; remove or rename one');
    data[key] = value;
  }
  const metadata: KubeObject['metadata'] = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  const opts = args.options;
  if (opts?.labels && Object.keys(opts.labels).length > 0) metadata.labels = { ...opts.labels };
  if (opts?.annotations && Object.keys(opts.annotations).length > 0) metadata.annotations = { ...opts.annotations };
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata };
  if (pairs.length > 0) {
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(data).sort()) sorted[key] = data[key]!;
    obj.data = sorted;
  }
  if (opts?.immutable) obj.immutable = true;
  const r = new Resource(obj, k.file);
  r.needsHash = !opts?.disableNameSuffixHash;
  r.behavior = args.behavior;
  return r;
}

/** Adds a generated object to `resources` by its behaviour (Kustomize's appendReplaceOrMerge). */
export function absorb(resources: Resource[], res: Resource, k: Kustomization, pointer: string): void {
  const id = res.curId();
  const matches = resources.filter((r) => r.allIds().some((x) => idEquals(x, id)));
  const fail = (message: string, hint: string): never => {
    throw kustomizeError({ file: k.file, pointer, doc: k.doc }, message, hint);
  };
  if (matches.length === 0) {
    if (res.behavior === 'merge' || res.behavior === 'replace') {
      fail(`there is no ${idString(id)} to ${res.behavior}`, 'behavior merge/replace changes a ConfigMap a base generates; use behavior: create (the default) for a new one');
    }
    if (resources.some((r) => idEquals(r.curId(), id))) fail(`${idString(id)} already exists`, 'to change an object of the resources, use a patch; behavior merge/replace works on generated ConfigMaps only');
    resources.push(res);
    return;
  }
  if (matches.length > 1) fail(`several objects could take the merge of ${idString(id)}`, 'give the generator a namespace: to say which one it changes');
  const old = matches[0]!;
  if (res.behavior !== 'merge' && res.behavior !== 'replace') {
    fail(`${idString(id)} already exists`, 'to change a ConfigMap a base generates, set behavior: merge or behavior: replace');
  }
  const md = res.obj.metadata;
  const oldMd = old.obj.metadata;
  const labels = { ...(oldMd.labels ?? {}), ...(md.labels ?? {}) };
  const annotations = { ...(oldMd.annotations ?? {}), ...(md.annotations ?? {}) };
  if (Object.keys(labels).length > 0) md.labels = labels;
  else delete md.labels;
  if (Object.keys(annotations).length > 0) md.annotations = annotations;
  else delete md.annotations;
  res.setName(old.name);
  res.setNamespace(old.namespace);
  if (res.behavior === 'merge') {
    for (const field of ['data', 'binaryData'] as const) {
      const merged = { ...((old.obj[field] as Record<string, unknown>) ?? {}), ...((res.obj[field] as Record<string, unknown>) ?? {}) };
      if (Object.keys(merged).length > 0) res.obj[field] = merged;
      else delete res.obj[field];
    }
  }
  // The build history (previous ids, prefixes, suffixes) is the old object's; the hash suffix only when both want one.
  res.prevIds = old.prevIds;
  res.prefixes = old.prefixes;
  res.suffixes = old.suffixes;
  res.needsHash = old.needsHash && res.needsHash;
  res.behavior = old.behavior;
  resources[resources.indexOf(old)] = res;
}
