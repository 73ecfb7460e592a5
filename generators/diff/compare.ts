/**
 * The core of `diff`: two file sets under rendered/ (the base, and a fresh render) in, a
 * DiffReport out. Files are parsed and compared as objects, so key order, quoting, comments
 * and formatting never show as changes; the YAML shown to people is re-serialised
 * canonically (engine/yaml.ts). Resources that changed file are matched by identity (API
 * group, kind, name, namespace) and reported as moves, not as a deletion plus a creation.
 * Pure: no disk, no git, no clock.
 */
import yaml from 'js-yaml';
import { compareStrings } from '../core/strings.js';
import { toYaml } from '../engine/yaml.js';
import { deepEqual, fieldChanges, isPlainObject } from './fields.js';
import { VERSION_LABEL, type AppDiff, type BaseInfo, type DiffReport, type EnvironmentDiff, type ResourceChange, type VersionOnlyGroup } from './model.js';
import { risksOf } from './risks.js';

export interface CompareInput {
  /** Path under rendered/ -> file text, as in the base. */
  base: ReadonlyMap<string, string>;
  /** Path under rendered/ -> file text, as rendered now. */
  next: ReadonlyMap<string, string>;
  /** Environment name -> tier (development, staging, production). */
  tiers?: ReadonlyMap<string, string>;
  baseInfo: BaseInfo;
}

interface ParsedFile {
  path: string;
  value: unknown;
  /** What people are shown: canonical YAML, or the raw text of a file that does not parse. */
  canonical: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export function parseRenderedFile(path: string, text: string): ParsedFile {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA, filename: path });
  } catch {
    // Not YAML (a stray file): compared as text.
    return { path, value: text, canonical: text.endsWith('\n') || text === '' ? text : `${text}\n` };
  }
  const value = docs.length === 0 ? null : docs.length === 1 ? docs[0] : docs;
  const canonical = value === null || value === undefined ? '' : toYaml(value);
  const file: ParsedFile = { path, value, canonical };
  if (isPlainObject(value) && typeof value.kind === 'string' && isPlainObject(value.metadata) && typeof value.metadata.name === 'string') {
    file.kind = value.kind;
    file.name = value.metadata.name;
    if (typeof value.apiVersion === 'string') file.apiVersion = value.apiVersion;
    if (typeof value.metadata.namespace === 'string') file.namespace = value.metadata.namespace;
  }
  return file;
}

/** `<env>/<app>/<file>` -> env and app; shorter paths (argocd/<file>) have an empty app. */
export function locationOf(path: string): { env: string; app: string } {
  const parts = path.split('/');
  return { env: parts.length >= 2 ? parts[0]! : '', app: parts.length >= 3 ? parts[1]! : '' };
}

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0]! : '');

export function compareRendered(input: CompareInput): DiffReport {
  const { base, next } = input;
  const tierOf = (path: string) => input.tiers?.get(locationOf(path).env);
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  const removed: ParsedFile[] = [];
  const added: ParsedFile[] = [];

  const paths = [...new Set([...base.keys(), ...next.keys()])].sort(compareStrings);
  for (const path of paths) {
    const before = base.get(path);
    const after = next.get(path);
    if (before !== undefined && after !== undefined) {
      if (before === after) {
        unchanged++;
        continue;
      }
      const b = parseRenderedFile(path, before);
      const a = parseRenderedFile(path, after);
      if (deepEqual(b.value, a.value)) unchanged++;
      else changes.push(changed(b, a, tierOf(path)));
    } else if (before !== undefined) removed.push(parseRenderedFile(path, before));
    else added.push(parseRenderedFile(path, after!));
  }

  // Moves: an added file holding a resource that a removed file held, in the same environment
  // (another app directory, or another namespace). Exact identity first, then any namespace.
  const matched = new Set<ParsedFile>();
  const identity = (f: ParsedFile, withNamespace: boolean) =>
    f.kind === undefined ? undefined : [locationOf(f.path).env, groupOf(f.apiVersion), f.kind, f.name, withNamespace ? (f.namespace ?? '') : ''].join('\u0000');
  for (const withNamespace of [true, false]) {
    const byIdentity = new Map<string, ParsedFile>();
    for (const r of removed) {
      const id = identity(r, withNamespace);
      if (id !== undefined && !matched.has(r) && !byIdentity.has(id)) byIdentity.set(id, r);
    }
    for (const a of added) {
      if (matched.has(a)) continue;
      const id = identity(a, withNamespace);
      const r = id === undefined ? undefined : byIdentity.get(id);
      if (!r || matched.has(r)) continue;
      matched.add(a).add(r);
      changes.push(changed(r, a, tierOf(a.path)));
    }
  }
  for (const r of removed) if (!matched.has(r)) changes.push(withRisks({ status: 'removed', path: r.path, ...idOf(r), fields: [], beforeYaml: r.canonical }, tierOf(r.path), { before: r.value }));
  for (const a of added) if (!matched.has(a)) changes.push(withRisks({ status: 'added', path: a.path, ...idOf(a), fields: [], afterYaml: a.canonical }, tierOf(a.path), { after: a.value }));

  return group(changes, unchanged, input);
}

function idOf(f: ParsedFile): Pick<ResourceChange, 'apiVersion' | 'kind' | 'name' | 'namespace'> {
  return {
    ...(f.apiVersion !== undefined && { apiVersion: f.apiVersion }),
    ...(f.kind !== undefined && { kind: f.kind }),
    ...(f.name !== undefined && { name: f.name }),
    ...(f.namespace !== undefined && { namespace: f.namespace }),
  };
}

function changed(before: ParsedFile, after: ParsedFile, tier: string | undefined): ResourceChange {
  const namespaceMoved = before.kind !== undefined && after.kind !== undefined && (before.namespace ?? '') !== (after.namespace ?? '');
  return withRisks(
    {
      status: 'changed',
      path: after.path,
      ...(before.path !== after.path && { previousPath: before.path }),
      ...idOf(after),
      ...(namespaceMoved && { previousNamespace: before.namespace ?? '' }),
      fields: fieldChanges(before.value, after.value),
      beforeYaml: before.canonical,
      afterYaml: after.canonical,
    },
    tier,
    { before: before.value, after: after.value },
  );
}

function withRisks(change: Omit<ResourceChange, 'risks'>, tier: string | undefined, values: { before?: unknown; after?: unknown }): ResourceChange {
  return { ...change, risks: risksOf(change, tier, values) };
}

function group(changes: ResourceChange[], unchanged: number, input: CompareInput): DiffReport {
  const envs = new Map<string, Map<string, ResourceChange[]>>();
  for (const c of changes) {
    const { env, app } = locationOf(c.path);
    if (!envs.has(env)) envs.set(env, new Map());
    const apps = envs.get(env)!;
    if (!apps.has(app)) apps.set(app, []);
    apps.get(app)!.push(c);
  }
  const count = (list: { status?: string; added?: number; changed?: number; removed?: number }[], status: 'added' | 'changed' | 'removed') =>
    list.reduce((n, x) => n + (x.status !== undefined ? (x.status === status ? 1 : 0) : (x[status] ?? 0)), 0);

  const environments: EnvironmentDiff[] = [...envs.keys()].sort(compareStrings).map((env) => {
    const appMap = envs.get(env)!;
    const apps: AppDiff[] = [...appMap.keys()].sort(compareStrings).map((name) => {
      const all = appMap.get(name)!.sort((a, b) => compareStrings(a.path, b.path));
      const resources = all.filter((r) => !isVersionOnly(r));
      const versionOnly = versionOnlyGroup(all.filter(isVersionOnly));
      return { name, added: count(all, 'added'), changed: count(all, 'changed'), removed: count(all, 'removed'), resources, ...(versionOnly && { versionOnly }) };
    });
    const tier = input.tiers?.get(env);
    return { name: env, ...(tier !== undefined && { tier }), added: count(apps, 'added'), changed: count(apps, 'changed'), removed: count(apps, 'removed'), apps };
  });
  return {
    base: input.baseInfo,
    added: count(environments, 'added'),
    changed: count(environments, 'changed'),
    removed: count(environments, 'removed'),
    unchanged,
    compared: [...new Set([...input.base.keys(), ...input.next.keys()].map((p) => locationOf(p).env))].sort(compareStrings).map((name) => {
      const tier = input.tiers?.get(name);
      return { name, ...(tier !== undefined && { tier }) };
    }),
    environments,
  };
}

/** A field path that is the version label, on the object or on any pod template inside it. */
const VERSION_FIELD = `metadata.labels[${JSON.stringify(VERSION_LABEL)}]`;
const isVersionField = (path: string) => path === VERSION_FIELD || path.endsWith(`.${VERSION_FIELD}`);

/** A change in place whose every field change is the version label. */
export function isVersionOnly(r: ResourceChange): boolean {
  return r.status === 'changed' && r.previousPath === undefined && r.previousNamespace === undefined && r.fields.length > 0 && r.fields.every((f) => isVersionField(f.path));
}

function versionOnlyGroup(list: ResourceChange[]): VersionOnlyGroup | undefined {
  if (list.length === 0) return undefined;
  const versions = new Map<string, { before: string | null; after: string | null; count: number }>();
  for (const r of list) {
    // The object's own label where it changed, else its pod template's.
    const f = r.fields.find((x) => !x.path.includes('.metadata.')) ?? r.fields[0]!;
    const before = typeof f.before === 'string' ? f.before : null;
    const after = typeof f.after === 'string' ? f.after : null;
    const key = JSON.stringify([before, after]);
    const v = versions.get(key);
    if (v) v.count++;
    else versions.set(key, { before, after, count: 1 });
  }
  return {
    resources: list.map((r) => ({ path: r.path, ...(r.apiVersion !== undefined && { apiVersion: r.apiVersion }), ...(r.kind !== undefined && { kind: r.kind }), ...(r.name !== undefined && { name: r.name }), ...(r.namespace !== undefined && { namespace: r.namespace }) })),
    versions: [...versions.values()].sort((a, b) => b.count - a.count || compareStrings(String(a.before), String(b.before)) || compareStrings(String(a.after), String(b.after))),
  };
}
