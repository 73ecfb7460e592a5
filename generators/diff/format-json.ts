/**
 * The machine-readable view, described by schemas/diff.schema.json. Keys come out in a fixed
 * order and lists are sorted (environments, apps, then paths), so the same change always
 * prints the same bytes. Pure.
 */
import { allResources, hasDifferences, VERSION_LABEL, type Counts, type DiffReport, type FieldChange, type ResourceChange } from './model.js';

export const DIFF_JSON_VERSION = 1;

export function diffJson(report: DiffReport): unknown {
  return {
    schemaVersion: DIFF_JSON_VERSION,
    base: {
      ref: report.base.ref,
      ...(report.base.commit !== undefined && { commit: report.base.commit }),
      layout: report.base.layout,
      description: report.base.description,
    },
    hasChanges: hasDifferences(report),
    summary: { ...counts(report), unchanged: report.unchanged },
    compared: report.compared,
    risks: [...allResources(report)].flatMap(({ env, app, resource }) =>
      resource.risks.map((risk) => ({ type: risk.type, detail: risk.detail, environment: env.name, app: app.name, path: resource.path, ...identity(resource) })),
    ),
    environments: report.environments.map((env) => ({
      name: env.name,
      ...(env.tier !== undefined && { tier: env.tier }),
      summary: counts(env),
      apps: env.apps.map((app) => ({
        name: app.name,
        summary: counts(app),
        resources: app.resources.map(resource),
        // Changed resources whose only difference is the version label, grouped (not in `resources`).
        ...(app.versionOnly && { versionOnly: { label: VERSION_LABEL, resources: app.versionOnly.resources.map((r) => ({ path: r.path, ...identity(r) })), versions: app.versionOnly.versions } }),
      })),
    })),
  };
}

export function formatJson(report: DiffReport): string {
  return JSON.stringify(diffJson(report), null, 2);
}

function counts(c: Counts): Counts {
  return { added: c.added, changed: c.changed, removed: c.removed };
}

function identity(r: Pick<ResourceChange, 'apiVersion' | 'kind' | 'name' | 'namespace'>) {
  return {
    ...(r.apiVersion !== undefined && { apiVersion: r.apiVersion }),
    ...(r.kind !== undefined && { kind: r.kind }),
    ...(r.name !== undefined && { name: r.name }),
    ...(r.namespace !== undefined && { namespace: r.namespace }),
  };
}

function resource(r: ResourceChange) {
  return {
    status: r.status,
    path: r.path,
    ...(r.previousPath !== undefined && { previousPath: r.previousPath }),
    ...identity(r),
    ...(r.previousNamespace !== undefined && { previousNamespace: r.previousNamespace }),
    risks: r.risks.map((x) => ({ type: x.type, detail: x.detail })),
    fields: r.fields.map(field),
  };
}

function field(f: FieldChange) {
  return {
    path: f.path,
    op: f.op,
    ...(f.op !== 'add' && { before: f.before ?? null }),
    ...(f.op !== 'remove' && { after: f.after ?? null }),
  };
}
