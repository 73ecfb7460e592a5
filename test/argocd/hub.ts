/**
 * Test helpers that play the Argo CD hub: the `rendered` branch tree a rendered/ directory
 * becomes, the hub objects in its argocd/, and the Applications an ApplicationSet generates
 * from that tree (git directory generator + goTemplate rendering, as the controller does).
 */
import yaml from 'js-yaml';
import { branchDirectories, filterApps, type DirectoryItem } from './go-path-match.js';
import { renderGoTemplate } from './go-template.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** Paths in rendered/ -> paths on the `rendered` branch, with the provenance files the branch adds. */
export function branchFiles(rendered: Map<string, string>): string[] {
  const files = new Set<string>(['hydrator.metadata', '.gitattributes']);
  for (const path of rendered.keys()) {
    files.add(path);
    const parts = path.split('/');
    if (parts.length === 3 && parts[0] !== 'argocd') {
      files.add(`${parts[0]}/${parts[1]}/README.md`);
      files.add(`${parts[0]}/${parts[1]}/hydrator.metadata`);
    }
  }
  return [...files].sort();
}

/** The `<env>/<dir>` directories of a rendered/ tree: what must become one Application each. */
export function unitDirectories(rendered: Map<string, string>): string[] {
  const dirs = new Set<string>();
  for (const path of rendered.keys()) {
    const parts = path.split('/');
    if (parts.length === 3 && parts[0] !== 'argocd') dirs.add(`${parts[0]}/${parts[1]}`);
  }
  return [...dirs].sort();
}

export function hubObjects(rendered: Map<string, string>): Obj[] {
  return [...rendered]
    .filter(([path]) => path.startsWith('argocd/'))
    .map(([, text]) => yaml.load(text) as Obj);
}

export function objectsIn(rendered: Map<string, string>, dir: string): Obj[] {
  return [...rendered].filter(([path]) => path.startsWith(dir + '/') && path.split('/').length === 3).map(([, text]) => yaml.load(text) as Obj);
}

interface GitGenerator {
  git?: { repoURL: string; revision: string; directories?: DirectoryItem[]; files?: unknown; values?: Record<string, string>; pathParamPrefix?: string };
}

export interface Generated {
  applicationSet: string;
  /** The directory on the branch the Application was generated for. */
  path: string;
  application: Obj & { spec: ApplicationSpec };
}

export interface ApplicationSpec {
  project: string;
  source: { repoURL: string; targetRevision: string; path: string; directory?: { recurse?: boolean; include?: string } };
  destination: { name?: string; server?: string; namespace?: string };
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean }; syncOptions?: string[] };
  ignoreDifferences?: { group?: string; kind: string; name?: string; namespace?: string; jsonPointers?: string[] }[];
}

/**
 * What the ApplicationSet controller would generate from `appSet` on a branch with `files`:
 * the directories its git directory generators match, each rendered through the template with
 * goTemplate (missingkey=error). Throws, like the controller, when a template fails.
 */
export function generate(appSet: Obj, files: string[]): Generated[] {
  const spec = appSet['spec'] as {
    goTemplate?: boolean;
    goTemplateOptions?: string[];
    generators: GitGenerator[];
    template: { metadata: Record<string, unknown>; spec: unknown };
    templatePatch?: string;
  };
  if (spec.goTemplate !== true || !spec.goTemplateOptions?.includes('missingkey=error')) throw new Error('expected goTemplate with missingkey=error');
  if (spec.templatePatch !== undefined) throw new Error('templatePatch is not simulated');
  const dirs = branchDirectories(files);
  const out: Generated[] = [];
  for (const generator of spec.generators) {
    const git = generator.git;
    if (!git || !git.directories || git.files !== undefined || git.pathParamPrefix !== undefined || Object.keys(generator).length !== 1) {
      throw new Error(`only git directory generators are simulated: ${JSON.stringify(generator)}`);
    }
    for (const path of filterApps(git.directories, dirs)) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      const params: Record<string, unknown> = {
        path: { path, basename: base, basenameNormalized: base.replace(/[^a-z0-9-.]/g, '-'), segments: path.split('/') },
        ...(git.values && { values: { ...git.values } }),
      };
      const rendered = renderStrings(spec.template, params) as { metadata: Obj['metadata']; spec: ApplicationSpec };
      out.push({
        applicationSet: appSet.metadata.name,
        path,
        application: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { ...rendered.metadata, namespace: appSet.metadata.namespace },
          spec: rendered.spec,
        },
      });
    }
  }
  return out;
}

function renderStrings(value: unknown, params: Record<string, unknown>): unknown {
  if (typeof value === 'string') return renderGoTemplate(value, params);
  if (Array.isArray(value)) return value.map((v) => renderStrings(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v, params)]));
  return value;
}

/** Argo CD's AppProject destination check (name or server, then namespace; plain names, no globs here). */
export function projectPermits(project: Obj, cluster: { name: string; server: string }, namespace: string): boolean {
  const destinations = (project['spec'] as { destinations?: { name?: string; server?: string; namespace?: string }[] }).destinations ?? [];
  return destinations.some(
    (d) => (d.name === cluster.name || d.name === '*' || d.server === cluster.server || d.server === '*') && (d.namespace === namespace || d.namespace === '*'),
  );
}

/**
 * Whether an AppProject lets its Applications sync a namespaced kind, as Argo CD decides: listed
 * in namespaceResourceWhitelist (no whitelist: every kind), and not in namespaceResourceBlacklist.
 */
export function projectPermitsKind(project: Obj, group: string, kind: string): boolean {
  type GK = { group: string; kind: string }[] | undefined;
  const spec = project['spec'] as { namespaceResourceWhitelist?: GK; namespaceResourceBlacklist?: GK };
  const listed = (list: GK) => (list ?? []).some((gk) => (gk.group === group || gk.group === '*') && (gk.kind === kind || gk.kind === '*'));
  const white = spec.namespaceResourceWhitelist;
  return (white === undefined || white.length === 0 || listed(white)) && !listed(spec.namespaceResourceBlacklist);
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}
