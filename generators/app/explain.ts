/**
 * `check --explain <rendered file | kind/namespace/name>`: where one rendered object comes from
 * and what was checked on it. The object's environment is rendered through the engine as check
 * renders it, but in this thread and without the unit cache, so each object keeps its spec file
 * and line locator (RenderedObject.source, lineOf: they do not cross threads or the cache);
 * siblings in the environment are rendered too, since cross-object policies read them.
 *
 * For a spec app the explanation names the base and overlay, the spec fields the overlay set
 * (the merged spec's specOrigin), and the overlay's JSON 6902 patches aimed at the object; for a
 * Kustomize app the resource file (and line) it came from; for a chart app its chart.ts. Then
 * every exemption that lifted a finding on it, and every check with its level and result.
 */
import type { RenderedObject } from '../charts/object.js';
import { API_POLICY, SCHEMA_POLICY, type AppliedExemption, type Violation } from '../check/check.js';
import { loadDeclaredSchemas, CRDS_DIR } from '../check/declared-schemas.js';
import { POLICIES, type PolicySetting } from '../check/policies/index.js';
import { BridgeError } from '../core/errors.js';
import { closest, compareStrings } from '../core/strings.js';
import { inProcessExecutor, renderFleet } from '../engine/engine.js';
import { unitOf } from '../engine/layout.js';
import { loadFleet, type AppInstance, type Fleet } from '../load/fleet.js';
import { chartFiles, compileCharts } from '../workspace/charts.js';
import { codeKey } from '../workspace/code-key.js';
import type { AppDeps } from './deps.js';
import { selectionOf } from './selection.js';

export interface ExplainRequest {
  /** A rendered file (`rendered/<env>/<app>/<file>.yaml`, with or without `rendered/`) or `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  target: string;
  /** --env: only these environments (a kind/namespace/name target matches in each environment). */
  env?: string[];
}

export interface SpecPlace {
  file: string;
  line?: number;
}

export interface CheckRun {
  /** kubernetes-schema, kubernetes-api or a policy id. */
  id: string;
  /** The level this environment gives it (`off`: it did not run). */
  level: PolicySetting;
  result: 'pass' | 'fail' | 'warning' | 'exempted' | 'off';
  /** What it found on the object (for `exempted`: what the exemption lifted). */
  findings: Pick<Violation, 'pointer' | 'message' | 'source' | 'line'>[];
}

export interface Explanation {
  /** The rendered file, from the project root. */
  file: string;
  environment?: string;
  /** The unit directory under the environment: an app, cluster-metadata or namespaces. */
  unit: string;
  resource: { apiVersion: string; kind: string; namespace?: string; name: string };
  /** The app that produced it, and the kind of its source; absent for cluster-metadata and namespaces. */
  app?: { name: string; source: 'app' | 'addon'; kind: AppInstance['kind'] };
  /** The spec file that produced the object (RenderedObject.source), with its line where known. */
  producedBy: SpecPlace;
  /** Every input file of the app in this environment (spec app: base app.yaml then overlay). */
  files: string[];
  /** Spec app: the fields of the merged spec the overlay set, with their line in it. */
  overlayFields: (SpecPlace & { pointer: string })[];
  /** Spec app: the overlay's JSON 6902 operations aimed at this object. */
  patches: (SpecPlace & { op: string; path: string; pointer: string })[];
  /** Exemptions that lifted a finding on this object. */
  exemptions: (Omit<AppliedExemption, 'violations' | 'environment' | 'app'> & { lifted: number })[];
  checks: CheckRun[];
}

/** Renders what the target needs and explains each object it names (one per environment for kind/namespace/name). */
export async function explainCommand(request: ExplainRequest, deps: AppDeps): Promise<Explanation[]> {
  const ws = deps.workspace;
  const sources = ws.readInputs();
  const charts = compileCharts(ws.root, chartFiles(sources.keys()), sources);
  const fleet = loadFleet(sources, { charts });
  const declaredSources = [...sources].filter(([file]) => file.startsWith(`${CRDS_DIR}/`));
  const declared = loadDeclaredSchemas(sources);
  const target = parseTarget(request.target, new Set(fleet.environments.map((e) => e.name)));
  const env = target.kind === 'file' ? [target.env] : request.env;
  const selection = selectionOf(fleet, { ...(env && { env }) });
  const rendering = await renderFleet(fleet, selection, { executor: inProcessExecutor(declared, { keepObjects: true }), codeKey: codeKey(declaredSources), ...(declared && { declared }) });
  deps.timer?.phase('render');

  const objects = [...rendering.rendered].sort(([a], [b]) => compareStrings(a, b));
  const matches = objects.filter(([path, r]) => (target.kind === 'file' ? path === target.path : target.matches(r)));
  if (matches.length === 0) {
    const candidates = target.kind === 'file' ? objects.map(([path]) => `rendered/${path}`) : objects.map(([, r]) => idOf(r));
    const guess = closest(request.target, candidates);
    throw new BridgeError({
      code: 'usage',
      message: `--explain: no rendered object ${target.kind === 'file' ? `file "rendered/${target.path}"` : `"${request.target}"`}${env ? ` in ${env.join(', ')}` : ''}`,
      hint: guess ? `did you mean "${guess}"?` : 'give a file under rendered/ (rendered/<env>/<app>/<kind>-<name>.yaml) or Kind/namespace/name',
    });
  }
  const envNames = new Set(fleet.environments.map((e) => e.name));
  return matches.map(([path, r]) => explainObject(path, r, unitOf(path, envNames), fleet, rendering.check));
}

type Target = { kind: 'file'; env: string; path: string } | { kind: 'id'; matches(r: RenderedObject): boolean };

function parseTarget(text: string, environments: ReadonlySet<string>): Target {
  const path = text.replace(/^\.\//, '').replace(/^rendered\//, '');
  if (/\.ya?ml$/.test(path)) {
    const env = path.split('/')[0]!;
    if (!environments.has(env)) {
      const guess = closest(env, [...environments]);
      throw new BridgeError({
        code: 'usage',
        message: `--explain: "${text}" is not a file of an environment's rendered/ directory`,
        hint: guess ? `did you mean "rendered/${[guess, ...path.split('/').slice(1)].join('/')}"? (hub objects under rendered/argocd/ are not explained)` : 'give rendered/<env>/<app>/<kind>-<name>.yaml',
      });
    }
    return { kind: 'file', env, path };
  }
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === '' && !(parts.length === 3 && i === 1))) {
    throw new BridgeError({
      code: 'usage',
      message: `--explain: "${text}" is neither a rendered file nor Kind/namespace/name`,
      hint: 'e.g. --explain rendered/prod/orders-api/deployment-orders-api.yaml, --explain Deployment/orders/orders-api, or --explain ClusterRole/<name>',
    });
  }
  const [kind, namespace, name] = parts.length === 3 ? parts : [parts[0], '', parts[1]];
  return {
    kind: 'id',
    matches: ({ object }) => object.kind.toLowerCase() === kind!.toLowerCase() && (object.metadata.namespace ?? '') === namespace && object.metadata.name === name,
  };
}

function idOf({ object }: RenderedObject): string {
  return object.metadata.namespace ? `${object.kind}/${object.metadata.namespace}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}

function explainObject(path: string, r: RenderedObject, unit: string, fleet: Fleet, report: { violations: Violation[]; exemptionsApplied: AppliedExemption[] }): Explanation {
  const envName = unit.split('/')[0]!;
  const environment = fleet.environments.find((e) => e.name === envName);
  const dir = unit.slice(envName.length + 1);
  const app = environment?.apps.find((a) => a.name === dir);
  const { object } = r;
  const file = `rendered/${path}`;
  const line = r.lineOf?.('');

  const overlayFields: Explanation['overlayFields'] = [];
  const patches: Explanation['patches'] = [];
  if (app?.kind === 'spec' && app.specOrigin && app.files.length > 1) {
    const overlay = app.files[app.files.length - 1]!;
    for (const pointer of leafPointers(app.spec, '/spec')) {
      const at = app.specOrigin(pointer);
      if (at.file === overlay) overlayFields.push({ pointer, file: at.file, ...(at.line !== undefined && { line: at.line }) });
    }
  }
  if (app?.kind === 'spec') {
    for (const patch of app.patches) {
      if (patch.target.kind !== object.kind || patch.target.name !== object.metadata.name) continue;
      patch.operations.forEach((op, i) => {
        const pointer = `${patch.pointer}/operations/${i}`;
        const at = patch.lineOf(pointer);
        patches.push({ op: op.op, path: op.path, file: patch.file, pointer, ...(at !== undefined && { line: at }) });
      });
    }
  }

  const mine = (v: Violation) => v.file === file;
  const exemptions = report.exemptionsApplied
    .filter((x) => x.environment === envName && x.violations.some(mine))
    .map(({ violations, environment: _e, app: _a, ...x }) => ({ ...x, lifted: violations.filter(mine).length }));
  const settings = environment?.spec.policies as Record<string, PolicySetting> | undefined;
  const finding = (v: Violation) => ({ pointer: v.pointer, message: v.message, source: v.source, ...(v.line !== undefined && { line: v.line }) });
  const runs: { id: string; level: PolicySetting }[] = [{ id: SCHEMA_POLICY, level: 'mandatory' }, { id: API_POLICY, level: 'mandatory' }, ...POLICIES.map((p) => ({ id: p.id, level: settings?.[p.id] ?? p.level }))];
  const checks = runs.map(({ id, level }): CheckRun => {
    if (level === 'off') return { id, level, result: 'off', findings: [] };
    const found = report.violations.filter((v) => mine(v) && v.policy === id);
    const lifted = report.exemptionsApplied.filter((x) => x.environment === envName).flatMap((x) => x.violations.filter((v) => mine(v) && v.policy === id));
    const result = found.length > 0 ? (level === 'mandatory' ? 'fail' : 'warning') : lifted.length > 0 ? 'exempted' : 'pass';
    return { id, level, result, findings: (found.length > 0 ? found : lifted).map(finding) };
  });

  return {
    file,
    environment: envName,
    unit: dir,
    resource: { apiVersion: object.apiVersion, kind: object.kind, ...(object.metadata.namespace !== undefined && { namespace: object.metadata.namespace }), name: object.metadata.name },
    ...(app && { app: { name: app.name, source: app.source, kind: app.kind } }),
    producedBy: { file: r.source, ...(line !== undefined && { line }) },
    files: app?.files ?? [r.source],
    overlayFields,
    patches,
    exemptions,
    checks,
  };
}

/** JSON pointers of the scalar leaves (and empty objects/arrays) of a value. */
function leafPointers(value: unknown, at: string): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [at] : value.flatMap((v, i) => leafPointers(v, `${at}/${i}`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [at] : entries.flatMap(([k, v]) => leafPointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [at];
}
