/**
 * Turns a SourceSet into a validated Fleet: the dry specs (specs.ts) plus the bridge: every
 * environment with its stack-outputs snapshot, and every app resolved for every environment it
 * runs in: a spec app's base and overlay merged, references resolved from the snapshot and
 * validated; a Kustomize app's entry kustomization and files (built in its unit, where its
 * references resolve); a chart app's compiled module (workspace/charts.ts). Pure. All problems
 * are collected and thrown together.
 */
import { BridgeError, ErrorSink, pointerOf } from '../core/errors.js';
import { secretReason } from '../core/secrets.js';
import { closest } from '../core/strings.js';
import { identityOf, type AwsIdentity } from './aws-identity.js';
import { interpolate, unknownBridgeKey } from './interpolate.js';
import type { ParseCache } from './parse-cache.js';
import { rolloutProblems } from './rollout.js';
import { validateAgainst } from './schemas.js';
import type { SourceSet } from './sources.js';
import { appsIn, broughtNamespace, loadSpecs, referenceVariables, mergeSpec, specDeployment, type Deployment, type LoadedApp, type LoadedChartApp, type LoadedKustomizeApp } from './specs.js';
import type { AppOverlay, AppSpec, ArgoCDSpec, Environment, EnvironmentSpec } from './types.gen.js';
import { MAX_VALUE_CHARS, valueTooLong } from './limits.js';
import { checkNamespaceOwners, foreignNamespaces, type NamespaceClaim } from './namespaces.js';
import { parseJson, parseYaml, type ParsedDocument } from './yaml.js';

export type JsonPatchOperation = NonNullable<AppOverlay['patches']>[number]['operations'][number];

export interface OverlayPatch {
  target: { kind: string; name: string };
  operations: JsonPatchOperation[];
  file: string;
  pointer: string;
  /** Line in the overlay file of a pointer inside it. */
  lineOf(pointer: string): number | undefined;
}

/** A policy exemption from the app's exemptions.yaml, where it is written. */
export interface AppExemption {
  policy: string;
  reason: string;
  /** Kind/name of the rendered objects it covers; all of the app's when absent. */
  resources?: string[];
  file: string;
  pointer: string;
  line?: number;
}

/** What every kind of app instance has: the app in one environment. */
interface AppInstanceBase {
  name: string;
  environment: string;
  /** `app` for manifests/apps/, `addon` for manifests/addons/. */
  source: 'app' | 'addon';
  namespace: string;
  /** Present (false) when the app says gitops-bridge does not own its namespace: nothing is rendered for the namespace itself (load/namespaces.ts). */
  namespaceManaged?: false;
  /** The owning team, where the app says (spec apps); namespaces carry it as a label. */
  team?: string;
  /** The files this instance was built from: a spec app's base then overlay; a Kustomize app's entry kustomization; chart.ts. */
  files: string[];
  /** Policy exemptions that hold in this environment (manifests/<apps|addons>/<app>/exemptions.yaml). */
  exemptions: AppExemption[];
  /**
   * A Kustomize or chart app's IRSA ServiceAccount, as its aws-access.yaml names it: the app
   * must render it (the role would trust nothing otherwise).
   */
  awsServiceAccount?: { name: string; identity: AwsIdentity; file: string; line?: number };
}

/** A spec app (app.yaml) in one environment: base and overlay merged, references resolved. */
export interface SpecAppInstance extends AppInstanceBase {
  kind: 'spec';
  team: string;
  spec: AppSpec;
  patches: OverlayPatch[];
  /** The spec file (and line) that set a pointer of the merged spec, e.g. /spec/image/tag: the overlay or the base. */
  specOrigin?(pointer: string): { file: string; line?: number };
}

/** A Kustomize app in one environment: the kustomization to build (its overlay, or the base) and the files it may read. */
export interface KustomizeAppInstance extends AppInstanceBase {
  kind: 'kustomize';
  /** The app's directory: every path a build reads stays inside it. */
  root: string;
  /** The directory to build: overlays/<env>, or base. */
  entry: string;
  /** Path -> text of every file under the app's directory. */
  sources: [string, string][];
}

/** A team-written cdk8s chart (chart.ts) in one environment. */
export interface ChartAppInstance extends AppInstanceBase {
  kind: 'chart';
  chart: ChartModule;
}

export type AppInstance = SpecAppInstance | KustomizeAppInstance | ChartAppInstance;

/**
 * A chart.ts compiled into one ES module (the workspace compiles it: workspace/charts.ts): what a
 * unit imports to run the chart, and what its output depends on.
 */
export interface ChartModule {
  /** The chart.ts file. */
  file: string;
  /** The compiled CommonJS module: the chart and the files of manifests/ it imports. */
  code: string;
  /** Its source map (JSON), to name the file and line of an error. */
  map: string;
  /** Digest of the code: what the chart's units are keyed on. */
  digest: string;
}

export interface EnvironmentInstance {
  name: string;
  spec: EnvironmentSpec;
  file: string;
  snapshotFile: string;
  /** The bridge: stack outputs as strings. */
  outputs: Record<string, string>;
  apps: AppInstance[];
}

export { RESERVED_NAMES } from './specs.js';

export interface Fleet {
  environments: EnvironmentInstance[];
  /** manifests/argocd.yaml, when the project has one: how the Argo CD hub reads the `rendered` branch. */
  argocd?: { file: string; spec: ArgoCDSpec };
}

const SNAPSHOT_FILE = /^infra\/outputs\/([^/]+)\.json$/;


/**
 * @param options.parseCache earlier runs' parses and schema passes (parse-cache.ts): same fleet, sooner
 * @param options.charts the compiled chart.ts of each chart app, by file (workspace/charts.ts)
 */
export function loadFleet(sources: SourceSet, options: { parseCache?: ParseCache; charts?: ReadonlyMap<string, ChartModule> } = {}): Fleet {
  const errors = new ErrorSink();
  const specs = loadSpecs(sources, errors, options.parseCache);

  const snapshotFiles = new Map<string, string>();
  for (const file of sources.keys()) {
    const m = SNAPSHOT_FILE.exec(file);
    if (m) snapshotFiles.set(m[1]!, file);
  }
  for (const [name, file] of snapshotFiles) {
    if (!specs.environmentNames.includes(name)) {
      errors.add({
        code: 'unknown-reference',
        message: `snapshot for environment "${name}", which has no manifests/environments/${name}.yaml`,
        file,
        hint: 'add the environment spec, or delete the snapshot of a stack that is gone',
      });
    }
  }

  const environments: EnvironmentInstance[] = [];
  for (const { name, doc, env } of specs.environments) {
    const snapshotFile = snapshotFiles.get(name) ?? `infra/outputs/${name}.json`;
    const outputs = errors.guard(() => loadSnapshot(sources, snapshotFile, name));
    if (!outputs) continue;
    const apps: AppInstance[] = [];
    const claims: NamespaceClaim[] = [];
    const parse = options.parseCache ? (text: string, file: string) => options.parseCache!.parse(text, file) : parseYaml;
    for (const app of appsIn(specs, name, env)) {
      const instance = errors.guard((): AppInstance => {
        switch (app.kind) {
          case 'spec':
            return resolveApp(specDeployment(app, name), name, env, outputs, snapshotFile);
          case 'kustomize':
          case 'chart': {
            const instance = app.kind === 'kustomize' ? kustomizeInstance(app, name, sources, parse) : chartInstance(app, name, options.charts);
            checkAwsAccess(app, instance, env, outputs, snapshotFile);
            if (!app.awsAccess) return instance;
            // The team its aws-access.yaml names owns it: its role's tag, its namespace's and objects' labels.
            const { doc, data } = app.awsAccess;
            return { ...instance, team: data.spec.team, awsServiceAccount: { name: data.spec.serviceAccount.name, identity: identityOf(data.spec.serviceAccount.aws), file: doc.file, line: doc.lineOf('/spec/serviceAccount/name') } };
          }
        }
      });
      if (!instance) continue;
      apps.push(instance);
      claims.push({ app: app.name, namespace: instance.namespace, managed: instance.namespaceManaged !== false, site: () => namespaceSite(app, instance, sources, parse) });
    }
    checkNamespaceOwners(claims, foreignNamespaces(env, outputs, specs.argocd?.spec.namespace ?? 'argocd'), errors);
    environments.push({ name, spec: env.spec, file: doc.file, snapshotFile, outputs, apps });
  }
  errors.throwIfAny();
  return { environments, ...(specs.argocd && { argocd: specs.argocd }) };
}

function loadSnapshot(sources: SourceSet, file: string, env: string): Record<string, string> {
  const text = sources.get(file);
  if (text === undefined) {
    throw new BridgeError({
      code: 'missing-snapshot',
      message: `environment "${env}" has no stack-outputs snapshot`,
      file,
      hint: `run \`npm run infra:outputs -- --stack ${env}\` where the Pulumi CLI can reach the stack, and commit the file`,
    });
  }
  const data = parseJson(text, file);
  const doc: ParsedDocument = { file, data, lineOf: (pointer) => jsonLineOf(text, pointer) };
  const errors = new ErrorSink();
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string' && value.length > MAX_VALUE_CHARS) {
        errors.add(valueTooLong(file, value.length, doc.lineOf(pointerOf([key])), pointerOf([key])));
        continue;
      }
      const reason = secretReason(key, value);
      if (reason) {
        errors.add({
          code: 'secret-in-snapshot',
          message: `"${key}" is a secret and must not cross the bridge: ${reason}`,
          file,
          pointer: pointerOf([key]),
          line: doc.lineOf(pointerOf([key])),
          hint: 'remove the key from the snapshot and from the stack exports; apps read secrets through externalSecrets',
        });
      }
    }
  }
  errors.throwIfAny();
  validateAgainst('stack-outputs', data, doc).forEach((e) => errors.add(e));
  errors.throwIfAny();
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) outputs[k] = String(v);
  return outputs;
}

/** Line of a top-level key in a flat JSON object (the only shape a snapshot has). */
function jsonLineOf(text: string, pointer: string): number | undefined {
  const key = pointer.split('/')[1];
  if (key === undefined) return 1;
  const i = text.indexOf(JSON.stringify(key.replace(/~1/g, '/').replace(/~0/g, '~')) + ':');
  const j = i >= 0 ? i : text.indexOf(JSON.stringify(key));
  return j >= 0 ? text.slice(0, j).split('\n').length : undefined;
}

function resolveApp(deployment: Deployment, envName: string, env: Environment, outputs: Record<string, string>, snapshotFile: string): SpecAppInstance {
  const { app, overlay } = deployment;
  const { spec: mergedValue, namespace, namespaceManaged, variables, whoSet } = mergeSpec(deployment, envName, env);
  const spec = errorsAt(whoSet, () =>
    interpolate(mergedValue, {
      variables,
      bridge: outputs,
      unknown: (key, pointer) => unknownBridgeKey(key, '/spec' + pointer, app.name, envName, outputs, snapshotFile),
    }),
  );
  const schemaErrors = validateAgainst('app', { ...app.app, spec }, app.doc, whoSet);
  if (schemaErrors.length) {
    const sink = new ErrorSink();
    schemaErrors.forEach((e) => sink.add(e));
    sink.throwIfAny();
  }

  // Names Kubernetes requires to be unique within a container.
  for (const list of ['env', 'ports'] as const) {
    const seen = new Set<string>();
    (spec[list] ?? []).forEach((item, i) => {
      if (!seen.has(item.name)) return void seen.add(item.name);
      const pointer = `/spec/${list}/${i}/name`;
      const doc = whoSet(pointer);
      throw new BridgeError({
        code: 'schema',
        message: `${list} has two items named "${item.name}"`,
        file: doc.file,
        pointer,
        line: doc.lineOf(pointer),
        hint: 'names are unique in this list; overlays merge items by name, so change the existing item instead of adding another',
      });
    });
  }

  // Structured bridge references: checked here so the error names the spec line.
  const refs: [string, string | undefined][] = [
    ['/serviceAccount/aws/roleOutput', spec.serviceAccount?.aws?.roleOutput],
    ...(spec.env ?? []).map((e, i): [string, string | undefined] => [`/env/${i}/fromBridge`, e.fromBridge]),
    ['/rollout/analysis/prometheus/fromBridge', spec.rollout?.analysis?.prometheus?.fromBridge],
  ];
  for (const [pointer, key] of refs) {
    if (key !== undefined && outputs[key] === undefined) {
      throw errorsAt(whoSet, () => {
        throw unknownBridgeKey(key, '/spec' + pointer, app.name, envName, outputs, snapshotFile);
      });
    }
  }

  // spec.rollout beyond its schema (load/rollout.ts): the first problem, at the line that set it.
  const [problem] = rolloutProblems(spec, envName, env.spec);
  if (problem) {
    const doc = whoSet(problem.pointer);
    throw new BridgeError({ code: 'schema', message: problem.message, file: doc.file, pointer: problem.pointer, line: doc.lineOf(problem.pointer), hint: problem.hint });
  }

  // A CronJob has no scale subresource: an HPA for it would be dropped (or, rendered, rejected).
  if (spec.cronJob && spec.autoscaling) {
    const doc = whoSet('/spec/autoscaling');
    throw new BridgeError({
      code: 'schema',
      message: `app "${app.name}" runs as a CronJob in ${envName} and sets spec.autoscaling: a CronJob cannot be autoscaled (no scale subresource)`,
      file: doc.file,
      pointer: '/spec/autoscaling',
      line: doc.lineOf('/spec/autoscaling'),
      hint: 'remove spec.autoscaling (set it to null in the overlay of the environment that runs the CronJob); a CronJob runs to completion, its parallelism is spec.cronJob',
    });
  }

  // An overlay's JSON 6902 patches take the same references as the spec (values, paths, targets).
  const patches: OverlayPatch[] = (overlay?.overlay.patches ?? []).map((p, i) => ({
    ...errorsAt(
      () => overlay!.doc,
      () => interpolate({ target: p.target, operations: p.operations }, { variables, bridge: outputs, unknown: (key, pointer) => unknownBridgeKey(key, pointer, app.name, envName, outputs, snapshotFile) }, ['patches', i]),
      '',
    ),
    file: overlay!.doc.file,
    pointer: `/patches/${i}`,
    lineOf: overlay!.doc.lineOf,
  }));
  return {
    kind: 'spec',
    name: app.name,
    environment: envName,
    source: app.source,
    namespace,
    ...(!namespaceManaged && { namespaceManaged: false as const }),
    team: spec.team,
    spec,
    patches,
    files: overlay ? [app.doc.file, overlay.doc.file] : [app.doc.file],
    exemptions: exemptionsIn(app, envName),
    specOrigin: (pointer) => {
      const doc = whoSet(pointer);
      return { file: doc.file, line: doc.lineOf(pointer) };
    },
  };
}

/** The exemptions of an app that hold in one environment. */
function exemptionsIn(app: LoadedApp, envName: string): AppExemption[] {
  return app.exemptions.flatMap(({ doc, data }) =>
    data.exemptions.flatMap((x, i) =>
      !x.environments || x.environments.includes(envName)
        ? [{ policy: x.policy, reason: x.reason, ...(x.resources && { resources: x.resources }), file: doc.file, pointer: `/exemptions/${i}`, line: doc.lineOf(`/exemptions/${i}`) }]
        : [],
    ),
  );
}

/**
 * A Kustomize app in one environment: its overlay for it (else the base), and the namespace its
 * Application deploys to: the entry kustomization's `namespace`, else the base's, else the app's
 * name. The build itself runs in the app's unit (engine/units.ts).
 */
function kustomizeInstance(app: LoadedKustomizeApp, envName: string, sources: SourceSet, parse: (text: string, file: string) => ParsedDocument): KustomizeAppInstance {
  const entryFile = app.overlays.get(envName) ?? app.file;
  const namespace = broughtNamespace(app, envName, sources, parse);
  return {
    kind: 'kustomize',
    name: app.name,
    environment: envName,
    source: app.source,
    namespace: namespace.name,
    ...(!namespace.managed && { namespaceManaged: false as const }),
    files: [entryFile],
    exemptions: exemptionsIn(app, envName),
    root: app.dir,
    entry: entryFile.slice(0, entryFile.lastIndexOf('/')),
    sources: app.files.map((f) => [f, sources.get(f)!]),
  };
}

/** Where an app sets the namespace it deploys to (for errors about it): the spec field, the kustomization's `namespace`, else the app's own file. */
function namespaceSite(app: LoadedApp, instance: AppInstance, sources: SourceSet, parse: (text: string, file: string) => ParsedDocument): { file: string; pointer?: string; line?: number } {
  if (instance.kind === 'spec') {
    const pointer = instance.spec.namespace !== undefined ? '/spec/namespace' : '/metadata/name';
    return { ...instance.specOrigin!(pointer), pointer };
  }
  if (app.kind !== 'kustomize') return { file: instance.files[0]! };
  const at = broughtNamespace(app, instance.environment, sources, parse);
  return { file: at.file, ...(at.pointer && { pointer: at.pointer, line: parse(sources.get(at.file)!, at.file).lineOf(at.pointer) }) };
}

/**
 * The references of a brought app's aws-access.yaml resolve in this environment: the Pulumi
 * program resolves them from its outputs, so a key the snapshot lacks is caught here first.
 */
function checkAwsAccess(app: LoadedKustomizeApp | LoadedChartApp, instance: AppInstance, env: Environment, outputs: Record<string, string>, snapshotFile: string): void {
  const access = app.awsAccess;
  if (!access) return;
  const envName = instance.environment;
  const variables = referenceVariables({ name: envName, ...env.spec }, instance);
  const at = '/spec/serviceAccount/aws/policy';
  try {
    interpolate(access.data.spec.serviceAccount.aws.policy ?? [], { variables, bridge: outputs, unknown: (key, pointer) => unknownBridgeKey(key, pointer, app.name, envName, outputs, snapshotFile) });
  } catch (e) {
    if (!(e instanceof BridgeError) || e.file !== undefined) throw e;
    const pointer = at + (e.pointer ?? '');
    throw new BridgeError({ code: e.code, message: e.message, hint: e.hint, file: access.doc.file, pointer, line: access.doc.lineOf(pointer) });
  }
}

function chartInstance(app: LoadedChartApp, envName: string, charts: ReadonlyMap<string, ChartModule> | undefined): ChartAppInstance {
  const chart = charts?.get(app.file);
  if (!chart) {
    throw new BridgeError({ code: 'render', message: `chart ${app.file} was not compiled`, file: app.file, hint: 'chart apps are compiled by the workspace before loading (workspace/charts.ts); this is a bug in the caller' });
  }
  return { kind: 'chart', name: app.name, environment: envName, source: app.source, namespace: app.name, files: [app.file], exemptions: exemptionsIn(app, envName), chart };
}

/** Runs fn; a located-nowhere BridgeError it throws gets the file and line of whoever set that pointer (`prefix` + its pointer). */
function errorsAt<T>(whoSet: (pointer: string) => ParsedDocument, fn: () => T, prefix = '/spec'): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof BridgeError) || e.file !== undefined) throw e;
    const pointer = e.pointer?.startsWith(prefix) ? e.pointer : prefix + (e.pointer ?? '');
    const doc = whoSet(pointer);
    throw new BridgeError({ code: e.code, message: e.message, hint: e.hint, pointer, file: doc.file, line: doc.lineOf(pointer) });
  }
}

