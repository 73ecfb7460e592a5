/**
 * Turns a SourceSet into a validated Fleet: every environment with its bridge snapshot, and
 * every app resolved for every environment it runs in (base + overlay merged, validated,
 * references resolved). Pure. All problems are collected and thrown together.
 */
import { BridgeError, ErrorSink, pointerOf } from '../core/errors.js';
import { secretReason } from '../core/secrets.js';
import { closest, compareStrings } from '../core/strings.js';
import { interpolate } from './interpolate.js';
import { mergeOverlay, setByOverlay } from './merge.js';
import { validateAgainst } from './schemas.js';
import type { SourceSet } from './sources.js';
import type { App, AppOverlay, AppSpec, ArgoCD, ArgoCDSpec, Environment, EnvironmentSpec, Exemptions } from './types.gen.js';
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

export interface AppInstance {
  name: string;
  environment: string;
  /** `app` for manifests/apps/, `addon` for manifests/addons/. */
  source: 'app' | 'addon';
  namespace: string;
  spec: AppSpec;
  patches: OverlayPatch[];
  /** The spec files this instance was built from: base, then overlay if any. */
  files: string[];
  /** Policy exemptions that hold in this environment (manifests/<apps|addons>/<app>/exemptions.yaml). */
  exemptions: AppExemption[];
  /** The spec file (and line) that set a pointer of the merged spec, e.g. /spec/image/tag: the overlay or the base. */
  specOrigin?(pointer: string): { file: string; line?: number };
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

export interface Fleet {
  environments: EnvironmentInstance[];
  /** manifests/argocd.yaml, when the project has one: how the Argo CD hub reads the `rendered` branch. */
  argocd?: { file: string; spec: ArgoCDSpec };
}

/** Directory names inside rendered/<env>/ that are not apps. */
export const RESERVED_NAMES = new Set(['cluster-metadata', 'namespaces', 'argocd']);

const ENV_FILE = /^manifests\/environments\/([^/]+)\.ya?ml$/;
const APP_FILE = /^manifests\/(apps|addons)\/([^/]+)\/app\.ya?ml$/;
const OVERLAY_FILE = /^manifests\/(apps|addons)\/([^/]+)\/overlays\/([^/]+)\.ya?ml$/;
const EXEMPTIONS_FILE = /^manifests\/(apps|addons)\/([^/]+)\/exemptions\.ya?ml$/;
const SNAPSHOT_FILE = /^infra\/outputs\/([^/]+)\.json$/;
const ARGOCD_FILE = /^manifests\/argocd\.ya?ml$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface LoadedApp {
  name: string;
  source: 'app' | 'addon';
  doc: ParsedDocument;
  app: App;
  overlays: Map<string, { doc: ParsedDocument; overlay: AppOverlay }>;
  exemptions: { doc: ParsedDocument; data: Exemptions }[];
}

export function loadFleet(sources: SourceSet): Fleet {
  const errors = new ErrorSink();
  const parse = (file: string): ParsedDocument | undefined => errors.guard(() => parseYaml(sources.get(file)!, file));

  // 1. Classify every file; anything unexpected under manifests/ is an error, not silently ignored.
  const envFiles: [string, string][] = [];
  const appFiles: [string, 'app' | 'addon', string][] = [];
  const overlayFiles: [string, 'app' | 'addon', string, string][] = [];
  const snapshotFiles = new Map<string, string>();
  const argocdFiles: string[] = [];
  const exemptionFiles: [string, 'app' | 'addon', string][] = [];
  for (const file of sources.keys()) {
    let m: RegExpExecArray | null;
    if ((m = ENV_FILE.exec(file))) envFiles.push([file, m[1]!]);
    else if ((m = APP_FILE.exec(file))) appFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!]);
    else if ((m = OVERLAY_FILE.exec(file))) overlayFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!, m[3]!]);
    else if ((m = SNAPSHOT_FILE.exec(file))) snapshotFiles.set(m[1]!, file);
    else if ((m = EXEMPTIONS_FILE.exec(file))) exemptionFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!]);
    else if (ARGOCD_FILE.test(file)) argocdFiles.push(file);
    else if (file.startsWith('manifests/')) {
      errors.add({
        code: 'invalid-name',
        message: 'unexpected file in manifests/',
        file,
        hint: 'environments go in manifests/environments/<env>.yaml, apps in manifests/apps/<app>/app.yaml with overlays/<env>.yaml and exemptions.yaml beside it, addons in manifests/addons/<addon>/',
      });
    }
  }

  // 2. Environments and their snapshots.
  const environments = new Map<string, { doc: ParsedDocument; env: Environment; outputs: Record<string, string>; snapshotFile: string }>();
  for (const [file, name] of envFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!checkName(errors, name, file, 'environment')) continue;
    const schemaErrors = validateAgainst('environment', doc.data, doc);
    if (schemaErrors.length) {
      schemaErrors.forEach((e) => errors.add(e));
      continue;
    }
    const env = doc.data as Environment;
    if (env.metadata.name !== name) {
      errors.add({
        code: 'name-mismatch',
        message: `metadata.name "${env.metadata.name}" does not match the file name "${name}"`,
        file,
        pointer: '/metadata/name',
        line: doc.lineOf('/metadata/name'),
        hint: `rename the file or set metadata.name to "${name}"`,
      });
      continue;
    }
    const snapshotFile = snapshotFiles.get(name) ?? `infra/outputs/${name}.json`;
    const outputs = errors.guard(() => loadSnapshot(sources, snapshotFile, name));
    if (outputs) environments.set(name, { doc, env, outputs, snapshotFile });
  }
  for (const [name, file] of snapshotFiles) {
    if (!envFiles.some(([, n]) => n === name)) {
      errors.add({
        code: 'unknown-reference',
        message: `snapshot for environment "${name}", which has no manifests/environments/${name}.yaml`,
        file,
        hint: 'add the environment spec, or delete the snapshot of a stack that is gone',
      });
    }
  }

  // 3. Apps and addons with their overlays.
  const apps = new Map<string, LoadedApp>();
  for (const [file, source, dirName] of appFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!checkName(errors, dirName, file, source)) continue;
    if (apps.has(dirName)) {
      errors.add({
        code: 'file-collision',
        message: `"${dirName}" is both an app and an addon`,
        file,
        hint: 'app and addon names share rendered/<env>/<name>/; rename one',
      });
      continue;
    }
    // Values holding ${...} references are checked once resolved, per environment.
    const schemaErrors = validateAgainst('app', doc.data, doc, undefined, { deferReferences: true });
    if (schemaErrors.length) {
      schemaErrors.forEach((e) => errors.add(e));
      continue;
    }
    const app = doc.data as App;
    if (app.metadata.name !== dirName) {
      errors.add({
        code: 'name-mismatch',
        message: `metadata.name "${app.metadata.name}" does not match its directory "${dirName}"`,
        file,
        pointer: '/metadata/name',
        line: doc.lineOf('/metadata/name'),
        hint: `rename the directory or set metadata.name to "${dirName}"`,
      });
      continue;
    }
    apps.set(dirName, { name: dirName, source, doc, app, overlays: new Map(), exemptions: [] });
  }
  for (const [file, source, appName, envName] of overlayFiles) {
    const doc = parse(file);
    if (!doc) continue;
    const schemaErrors = validateAgainst('app-overlay', doc.data, doc);
    if (schemaErrors.length) {
      schemaErrors.forEach((e) => errors.add(e));
      continue;
    }
    const overlay = doc.data as AppOverlay;
    const app = apps.get(appName);
    if (!app || app.source !== source) continue; // the app itself failed to load and was reported
    if (!envFiles.some(([, n]) => n === envName)) {
      const guess = closest(envName, envFiles.map(([, n]) => n));
      errors.add({
        code: 'unknown-reference',
        message: `overlay for unknown environment "${envName}"`,
        file,
        hint: guess ? `did you mean overlays/${guess}.yaml?` : 'overlay files are named after an environment in manifests/environments/',
      });
      continue;
    }
    if (overlay.metadata.name !== appName || overlay.metadata.environment !== envName) {
      const pointer = overlay.metadata.name !== appName ? '/metadata/name' : '/metadata/environment';
      errors.add({
        code: 'name-mismatch',
        message: `overlay metadata (${overlay.metadata.name}/${overlay.metadata.environment}) does not match its path (${appName}/${envName})`,
        file,
        pointer,
        line: doc.lineOf(pointer),
        hint: `set metadata.name to "${appName}" and metadata.environment to "${envName}"`,
      });
      continue;
    }
    app.overlays.set(envName, { doc, overlay });
  }

  for (const [file, source, appName] of exemptionFiles) {
    const doc = parse(file);
    if (!doc) continue;
    const schemaErrors = validateAgainst('exemptions', doc.data, doc);
    if (schemaErrors.length) {
      schemaErrors.forEach((e) => errors.add(e));
      continue;
    }
    const data = doc.data as Exemptions;
    const app = apps.get(appName);
    if (!app || app.source !== source) {
      if (appFiles.some(([, s, n]) => s === source && n === appName)) continue; // the app failed to load and was reported
      errors.add({ code: 'unknown-reference', message: `exemptions for "${appName}", which has no app.yaml beside them`, file, hint: 'exemptions.yaml sits beside the app.yaml of the app it exempts' });
      continue;
    }
    if (data.metadata.name !== appName) {
      errors.add({
        code: 'name-mismatch',
        message: `metadata.name "${data.metadata.name}" does not match its directory "${appName}"`,
        file,
        pointer: '/metadata/name',
        line: doc.lineOf('/metadata/name'),
        hint: `set metadata.name to "${appName}"`,
      });
      continue;
    }
    data.exemptions.forEach((x, i) =>
      (x.environments ?? []).forEach((e, j) => {
        if (envFiles.some(([, n]) => n === e)) return;
        const pointer = `/exemptions/${i}/environments/${j}`;
        const guess = closest(e, envFiles.map(([, n]) => n));
        errors.add({ code: 'unknown-reference', message: `exemption for unknown environment "${e}"`, file, pointer, line: doc.lineOf(pointer), hint: guess ? `did you mean "${guess}"?` : `environments: ${envFiles.map(([, n]) => n).join(', ')}` });
      }),
    );
    app.exemptions.push({ doc, data });
  }

  for (const app of apps.values()) {
    (app.app.spec.environments ?? []).forEach((e, i) => {
      if (envFiles.some(([, n]) => n === e)) return;
      const pointer = `/spec/environments/${i}`;
      errors.add({
        code: 'unknown-reference',
        message: `unknown environment "${e}" in spec.environments`,
        file: app.doc.file,
        pointer,
        line: app.doc.lineOf(pointer),
        hint: `environments: ${envFiles.map(([, n]) => n).join(', ')}`,
      });
    });
  }

  // 4. Resolve every app for every environment it runs in.
  const result: EnvironmentInstance[] = [];
  for (const [envName, { doc: envDoc, env, outputs, snapshotFile }] of [...environments].sort((a, b) => compareStrings(a[0], b[0]))) {
    const instances: AppInstance[] = [];
    const enabledAddons = new Set(env.spec.addons ?? []);
    for (const addon of enabledAddons) {
      const a = apps.get(addon);
      if (!a || a.source !== 'addon') {
        const pointer = `/spec/addons/${(env.spec.addons ?? []).indexOf(addon)}`;
        errors.add({
          code: 'unknown-reference',
          message: `addon "${addon}" is enabled but manifests/addons/${addon}/app.yaml does not exist`,
          file: envDoc.file,
          pointer,
          line: envDoc.lineOf(pointer),
          hint: `add the addon, or remove it from spec.addons; known addons: ${[...apps.values()].filter((x) => x.source === 'addon').map((x) => x.name).join(', ') || 'none'}`,
        });
      }
    }
    for (const app of [...apps.values()].sort((a, b) => compareStrings(a.name, b.name))) {
      const listed = app.app.spec.environments;
      const deployed = app.source === 'addon' ? enabledAddons.has(app.name) && (!listed || listed.includes(envName)) : !listed || listed.includes(envName);
      const overlay = app.overlays.get(envName);
      if (!deployed) {
        if (overlay) {
          errors.add({
            code: 'unknown-reference',
            message: `overlay for environment "${envName}", where ${app.source === 'addon' ? 'the addon is not enabled' : 'the app is not deployed'}`,
            file: overlay.doc.file,
            hint: app.source === 'addon' ? `enable it in manifests/environments/${envName}.yaml spec.addons, or delete the overlay` : `add "${envName}" to spec.environments of ${app.doc.file}, or delete the overlay`,
          });
        }
        continue;
      }
      const instance = errors.guard(() => resolveApp(app, overlay, envName, env, outputs, snapshotFile));
      if (instance) instances.push(instance);
    }
    result.push({ name: envName, spec: env.spec, file: envDoc.file, snapshotFile, outputs, apps: instances });
  }

  const argocd = loadArgoCd(argocdFiles, parse, errors);
  errors.throwIfAny();
  return { environments: result, ...(argocd && { argocd }) };
}

/** The optional manifests/argocd.yaml, schema-checked; defaults are applied where it is used (generators/argocd/). */
function loadArgoCd(files: string[], parse: (file: string) => ParsedDocument | undefined, errors: ErrorSink): Fleet['argocd'] {
  if (files.length > 1) {
    errors.add({ code: 'file-collision', message: `both ${files.join(' and ')} exist`, file: files[1], hint: 'keep one of them' });
    return undefined;
  }
  const doc = files[0] === undefined ? undefined : parse(files[0]);
  if (!doc) return undefined;
  const schemaErrors = validateAgainst('argocd', doc.data, doc);
  schemaErrors.forEach((e) => errors.add(e));
  return schemaErrors.length ? undefined : { file: doc.file, spec: (doc.data as ArgoCD).spec };
}

function checkName(errors: ErrorSink, name: string, file: string, what: string): boolean {
  if (DNS_LABEL.test(name) && name.length <= 63 && !RESERVED_NAMES.has(name)) return true;
  errors.add({
    code: 'invalid-name',
    message: RESERVED_NAMES.has(name)
      ? `"${name}" is reserved and cannot name an ${what}`
      : `${what} name "${name}" is not a DNS-1123 label`,
    file,
    hint: RESERVED_NAMES.has(name)
      ? `reserved names: ${[...RESERVED_NAMES].join(', ')}`
      : 'use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  });
  return false;
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

function resolveApp(
  app: LoadedApp,
  overlay: { doc: ParsedDocument; overlay: AppOverlay } | undefined,
  envName: string,
  env: Environment,
  outputs: Record<string, string>,
  snapshotFile: string,
): AppInstance {
  const merged = overlay
    ? mergeOverlay(app.app.spec, overlay.overlay.spec, overlay.doc.file, ['spec'])
    : { value: app.app.spec, fromOverlay: new Set<string>() };
  const whoSet = (pointer: string): ParsedDocument => {
    const inSpec = pointer.startsWith('/spec') ? pointer.slice('/spec'.length) : undefined;
    return overlay && inSpec !== undefined && setByOverlay(merged.fromOverlay, inSpec) ? overlayDoc(overlay.doc, merged.value, inSpec) : app.doc;
  };
  const namespace = merged.value.namespace ?? app.name;
  const spec = errorsAt(whoSet, () =>
    interpolate(merged.value, {
      variables: {
        'env.name': envName,
        'env.domain': env.spec.domain,
        'env.tier': env.spec.tier,
        'app.name': app.name,
        'app.namespace': namespace,
      },
      bridge: outputs,
      unknown: (key, pointer) => unknownBridgeKey(key, pointer, app.name, envName, outputs, snapshotFile),
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
  ];
  for (const [pointer, key] of refs) {
    if (key !== undefined && outputs[key] === undefined) {
      throw errorsAt(whoSet, () => {
        throw unknownBridgeKey(key, pointer, app.name, envName, outputs, snapshotFile);
      });
    }
  }

  const patches: OverlayPatch[] = (overlay?.overlay.patches ?? []).map((p, i) => ({
    target: p.target,
    operations: p.operations,
    file: overlay!.doc.file,
    pointer: `/patches/${i}`,
    lineOf: overlay!.doc.lineOf,
  }));
  const exemptions: AppExemption[] = app.exemptions.flatMap(({ doc, data }) =>
    data.exemptions.flatMap((x, i) =>
      !x.environments || x.environments.includes(envName)
        ? [{ policy: x.policy, reason: x.reason, ...(x.resources && { resources: x.resources }), file: doc.file, pointer: `/exemptions/${i}`, line: doc.lineOf(`/exemptions/${i}`) }]
        : [],
    ),
  );
  return {
    name: app.name,
    environment: envName,
    source: app.source,
    namespace,
    spec,
    patches,
    files: overlay ? [app.doc.file, overlay.doc.file] : [app.doc.file],
    exemptions,
    specOrigin: (pointer) => {
      const doc = whoSet(pointer);
      return { file: doc.file, line: doc.lineOf(pointer) };
    },
  };
}

function unknownBridgeKey(key: string, pointer: string, app: string, env: string, outputs: Record<string, string>, snapshotFile: string): BridgeError {
  const guess = closest(key, Object.keys(outputs));
  return new BridgeError({
    code: 'unknown-bridge-key',
    message: `app "${app}" in environment "${env}" references bridge key "${key}", which ${snapshotFile} does not have`,
    pointer: '/spec' + pointer,
    hint: guess
      ? `did you mean "${guess}"?`
      : `export "${key}" from the Pulumi stack and refresh the snapshot with \`npm run infra:outputs -- --stack ${env}\``,
  });
}

/** Runs fn; a located-nowhere BridgeError it throws gets the file and line of whoever set that pointer. */
function errorsAt<T>(whoSet: (pointer: string) => ParsedDocument, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof BridgeError) || e.file !== undefined) throw e;
    const pointer = e.pointer?.startsWith('/spec') ? e.pointer : '/spec' + (e.pointer ?? '');
    const doc = whoSet(pointer);
    throw new BridgeError({ code: e.code, message: e.message, hint: e.hint, pointer, file: doc.file, line: doc.lineOf(pointer) });
  }
}

/**
 * A pointer into the merged spec, as a pointer into the overlay file where possible: named list
 * items can sit at a different index in the overlay than in the merged result.
 */
function overlayDoc(doc: ParsedDocument, merged: AppSpec, specPointer: string): ParsedDocument {
  return {
    file: doc.file,
    data: doc.data,
    lineOf: (pointer) => doc.lineOf(translatePointer(doc.data, merged, pointer.startsWith('/spec') ? pointer.slice(5) : specPointer)),
  };
}

function translatePointer(overlayData: unknown, merged: unknown, specPointer: string): string {
  const segments = specPointer.split('/').slice(1);
  let o: unknown = (overlayData as { spec?: unknown }).spec;
  let m: unknown = merged;
  const out: (string | number)[] = ['spec'];
  for (const seg of segments) {
    if (Array.isArray(m) && Array.isArray(o)) {
      const item = m[Number(seg)] as { name?: unknown } | undefined;
      const idx = item && typeof item === 'object' && 'name' in item ? o.findIndex((x) => (x as { name?: unknown })?.name === item.name) : Number(seg);
      if (idx < 0) break;
      out.push(idx);
      o = o[idx];
      m = item;
    } else if (o && typeof o === 'object' && m && typeof m === 'object') {
      out.push(seg);
      o = (o as Record<string, unknown>)[seg];
      m = (m as Record<string, unknown>)[seg];
    } else break;
  }
  return pointerOf(out);
}
