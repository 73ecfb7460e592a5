/**
 * The dry specs: environments, apps and addons with their overlays and exemptions, parsed,
 * schema-checked and cross-checked (names, environments, enabled addons), with no stack-outputs
 * snapshot. An app directory is one of three kinds, by the file that marks it: app.yaml (a spec
 * app, overlays/<env>.yaml), base/kustomization.yaml (a Kustomize app, overlays/<env>/, every
 * file of the directory its input) or chart.ts (a team's cdk8s chart); the last two may carry
 * an aws-access.yaml. loadFleet adds the bridge on top; the Pulumi program (aws-access.ts) reads the same
 * specs before any snapshot exists. Pure: a SourceSet in, data out; problems go to an ErrorSink
 * so a run reports all of them at once.
 */
import { ErrorSink, pointerOf } from '../core/errors.js';
import { UNEXEMPTABLE } from '../core/secrets.js';
import { closest, compareStrings } from '../core/strings.js';
import { uninterpolatedReferences } from './interpolate.js';
import { mergeOverlay, setByOverlay } from './merge.js';
import type { CachedDocument, ParseCache } from './parse-cache.js';
import { validateAgainst, type SchemaName } from './schemas.js';
import type { SourceSet } from './sources.js';
import type { App, AppOverlay, AppSpec, ArgoCD, ArgoCDSpec, AwsAccessFile, Environment, Exemptions } from './types.gen.js';
import { parseYaml, type ParsedDocument } from './yaml.js';


/** Directory names inside rendered/<env>/ that are not apps. */
export const RESERVED_NAMES = new Set(['cluster-metadata', 'namespaces', 'argocd']);

const ENV_FILE = /^manifests\/environments\/([^/]+)\.ya?ml$/;
const APP_FILE = /^manifests\/(apps|addons)\/([^/]+)\/app\.ya?ml$/;
/** Where an app directory says what kind of app it is: app.yaml (a spec app), chart.ts, or base/kustomization.yaml. */
const APP_MARKER = /^manifests\/(apps|addons)\/([^/]+)\/(app\.ya?ml|chart\.ts|base\/(?:kustomization\.ya?ml|Kustomization))$/;
const APP_DIR = /^manifests\/(apps|addons)\/([^/]+)\//;
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const OVERLAY_FILE = /^manifests\/(apps|addons)\/([^/]+)\/overlays\/([^/]+)\.ya?ml$/;
const EXEMPTIONS_FILE = /^manifests\/(apps|addons)\/([^/]+)\/exemptions\.ya?ml$/;
const AWS_ACCESS_FILE = /^manifests\/(apps|addons)\/([^/]+)\/aws-access\.ya?ml$/;
const ARGOCD_FILE = /^manifests\/argocd\.ya?ml$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface LoadedEnvironment {
  name: string;
  doc: ParsedDocument;
  env: Environment;
}

export interface LoadedOverlay {
  doc: ParsedDocument;
  overlay: AppOverlay;
}

/** What every kind of app shares: its name, where it lives, and its policy exemptions. */
interface LoadedAppBase {
  name: string;
  /** `app` for manifests/apps/, `addon` for manifests/addons/. */
  source: 'app' | 'addon';
  /** The app's directory, e.g. manifests/apps/orders-api. */
  dir: string;
  exemptions: { doc: ParsedDocument; data: Exemptions }[];
}

/** A Kustomize or chart app's aws-access.yaml: the IRSA role the Pulumi program makes for it. */
export interface LoadedAwsAccess {
  doc: ParsedDocument;
  data: AwsAccessFile;
}

/** An app written as a gitops-bridge spec: app.yaml, with overlays/<env>.yaml. */
export interface LoadedSpecApp extends LoadedAppBase {
  kind: 'spec';
  doc: ParsedDocument;
  app: App;
  overlays: Map<string, LoadedOverlay>;
}

/** A Kustomize app: base/kustomization.yaml, optional components/, and overlays/<env>/kustomization.yaml. */
export interface LoadedKustomizeApp extends LoadedAppBase {
  kind: 'kustomize';
  /** The base's kustomization file. */
  file: string;
  /** Environment -> its overlay's kustomization file. */
  overlays: Map<string, string>;
  /** Every file under the app's directory (what a build may read), sorted. */
  files: string[];
  awsAccess?: LoadedAwsAccess;
}

/** A cdk8s chart written by the team: chart.ts default-exports `(chart, ctx) => void`. */
export interface LoadedChartApp extends LoadedAppBase {
  kind: 'chart';
  /** The chart.ts file. */
  file: string;
  awsAccess?: LoadedAwsAccess;
}

export type LoadedApp = LoadedSpecApp | LoadedKustomizeApp | LoadedChartApp;

/** The file that makes an app what it is (app.yaml, base/kustomization.yaml or chart.ts): where errors about the whole app point. */
export const appFile = (app: LoadedApp): string => (app.kind === 'spec' ? app.doc.file : app.file);

export interface Specs {
  /** Valid environments, sorted by name. */
  environments: LoadedEnvironment[];
  /** Names of every environment file, valid or not (so one bad file does not cascade into "unknown environment"). */
  environmentNames: string[];
  /** Valid apps and addons, sorted by name. */
  apps: LoadedApp[];
  argocd?: { file: string; spec: ArgoCDSpec };
}

/** A spec app deployed in one environment, with that environment's overlay if it has one. */
export interface Deployment {
  app: LoadedSpecApp;
  overlay?: LoadedOverlay;
}

/** An app's spec for one environment: base and overlay merged, references not yet resolved. */
export interface MergedSpec {
  spec: AppSpec;
  namespace: string;
  /** Whether gitops-bridge owns the namespace (renders its Namespace, quota, limits and default deny): `namespace: {managed: false}` says no. */
  namespaceManaged: boolean;
  /** Values of ${env.*} and ${app.*}. */
  variables: Record<string, string>;
  /** The file that set a pointer of the merged document (/spec/...): the overlay, or the base. */
  whoSet(pointer: string): ParsedDocument;
}

/**
 * @param cache what texts parsed to and which schemas they passed in earlier runs (parse-cache.ts):
 *   the same data and the same errors, sooner
 */
export function loadSpecs(sources: SourceSet, errors: ErrorSink, cache?: ParseCache): Specs {
  const parse = (file: string): ParsedDocument | undefined =>
    errors.guard(() => (cache ? cache.parse(sources.get(file)!, file) : parseYaml(sources.get(file)!, file)));

  // 1. Classify every file; anything unexpected under manifests/ is an error, not silently ignored.
  const envFiles: [string, string][] = [];
  const appFiles: [string, 'app' | 'addon', string][] = [];
  const overlayFiles: [string, 'app' | 'addon', string, string][] = [];
  const argocdFiles: string[] = [];
  const exemptionFiles: [string, 'app' | 'addon', string][] = [];
  const awsAccessFiles: [string, 'app' | 'addon', string][] = [];
  // What kind each app directory is: the file that marks it (app.yaml, chart.ts, base/kustomization.yaml).
  const markers = new Map<string, string[]>();
  for (const file of sources.keys()) {
    const m = APP_MARKER.exec(file);
    if (m) markers.set(`${m[1]}/${m[2]}`, [...(markers.get(`${m[1]}/${m[2]}`) ?? []), file]);
  }
  const kindOf = new Map<string, LoadedApp['kind']>();
  for (const [dir, files] of markers) {
    const kinds = [...new Set(files.map((f) => (f.endsWith('chart.ts') ? 'chart' : f.includes('/base/') ? 'kustomize' : 'spec')))];
    if (kinds.length > 1 || files.length > 1) {
      const names = files.map((f) => f.slice(`manifests/${dir}/`.length));
      errors.add({
        code: 'file-collision',
        message: kinds.length > 1 ? `manifests/${dir} is more than one kind of app: ${names.join(', ')}` : `manifests/${dir} is defined twice: ${names.join(' and ')}; one would silently win`,
        file: files[1]!,
        hint: kinds.length > 1 ? 'an app directory holds one of app.yaml (a spec app), chart.ts (a cdk8s chart) or base/kustomization.yaml (a Kustomize app); keep one' : `keep one of them (${names[0]})`,
      });
      continue;
    }
    kindOf.set(dir, kinds[0]!);
  }
  // An app and an addon of one name would share rendered/<env>/<name>/: neither is loaded.
  for (const dir of [...kindOf.keys()].sort(compareStrings)) {
    const name = dir.slice('addons/'.length);
    if (!dir.startsWith('addons/') || !kindOf.has(`apps/${name}`)) continue;
    const [app, addon] = [markers.get(`apps/${name}`)![0]!, markers.get(dir)![0]!];
    errors.add({ code: 'file-collision', message: `"${name}" is both an app (${app}) and an addon (${addon})`, file: addon, hint: 'app and addon names share rendered/<env>/<name>/; rename one' });
    kindOf.delete(dir);
    kindOf.delete(`apps/${name}`);
  }
  /** App directories without a marker that hold inputs: dir -> those files. */
  const orphans = new Map<string, string[]>();
  /** (what, app directory, environment) -> the file that defines it: the same thing in two files (.yaml and .yml) is an error. */
  const definedIn = new Map<string, string>();
  const once = (key: string, file: string, what: string): boolean => {
    const first = definedIn.get(key);
    if (first === undefined) return void definedIn.set(key, file), true;
    errors.add({ code: 'file-collision', message: `${what} is defined twice: ${first} and ${file}; one would silently win`, file, hint: `keep one of them (${first.slice(first.lastIndexOf('/') + 1)})` });
    return false;
  };
  const ownFiles = new Map<string, string[]>();
  for (const file of sources.keys()) {
    let m: RegExpExecArray | null;
    const inApp = APP_DIR.exec(file);
    const dir = inApp ? `${inApp[1]}/${inApp[2]}` : undefined;
    const kind = dir === undefined ? undefined : kindOf.get(dir);
    if (dir !== undefined && kind === undefined) {
      // No marker (the directory's app.yaml deleted, say), or markers that collide (reported above).
      if (!markers.has(dir) && /\.(ya?ml|json|ts)$/.test(file)) orphans.set(dir, [...(orphans.get(dir) ?? []), file]);
      continue;
    }
    if ((m = EXEMPTIONS_FILE.exec(file))) {
      if (once(`exemptions|${dir}`, file, `the exemptions of manifests/${dir}`)) exemptionFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!]);
    } else if ((m = AWS_ACCESS_FILE.exec(file))) {
      if (once(`aws-access|${dir}`, file, `the AWS access of manifests/${dir}`)) awsAccessFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!]);
    } else if (dir !== undefined && (kind === 'kustomize' || kind === 'chart')) {
      // Everything in a Kustomize or chart app's directory is its own (resources, patches, generator files, modules).
      ownFiles.set(dir, [...(ownFiles.get(dir) ?? []), file]);
    } else if (!/\.(ya?ml|json)$/.test(file)) continue; // READMEs and the like, beside the specs
    else if ((m = ENV_FILE.exec(file))) {
      if (once(`environment|${m[1]}`, file, `environment "${m[1]}"`)) envFiles.push([file, m[1]!]);
    }
    else if ((m = APP_FILE.exec(file))) appFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!]);
    else if ((m = OVERLAY_FILE.exec(file)) && kind === 'spec') {
      if (once(`overlay|${dir}|${m[3]}`, file, `the overlay of manifests/${dir} for "${m[3]}"`)) overlayFiles.push([file, m[1] === 'apps' ? 'app' : 'addon', m[2]!, m[3]!]);
    } else if (ARGOCD_FILE.test(file)) argocdFiles.push(file);
    else if (file.startsWith('manifests/')) {
      errors.add({
        code: 'invalid-name',
        message: 'unexpected file in manifests/',
        file,
        hint: 'environments go in manifests/environments/<env>.yaml; an app (manifests/apps/<app>/, or manifests/addons/<addon>/) is app.yaml with overlays/<env>.yaml, or base/kustomization.yaml with overlays/<env>/kustomization.yaml, or chart.ts; exemptions.yaml goes beside any of them',
      });
    }
  }
  for (const [dir, files] of orphans) {
    const names = files.map((f) => f.slice(`manifests/${dir}/`.length));
    errors.add({
      code: 'unknown-reference',
      message: `manifests/${dir} holds ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more files` : ''} but no app.yaml, chart.ts or base/kustomization.yaml: the app would be dropped, and its rendered files pruned`,
      file: files[0]!,
      hint: `restore the app's app.yaml (or chart.ts, base/kustomization.yaml); to remove the app, delete the whole directory manifests/${dir}`,
    });
  }

  // 2. Environments (dev.yaml and dev.yml side by side were reported above).
  const environments: LoadedEnvironment[] = [];
  for (const [file, name] of envFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!checkName(errors, name, file, 'environment')) continue;
    if (!schemaValid('environment', doc, errors)) continue;
    if (!noReferences(doc, 'an environment file', errors)) continue;
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
    environments.push({ name, doc, env });
  }

  // 3. Apps and addons with their overlays.
  const apps = new Map<string, LoadedApp>();
  /** Whether an overlay (a spec app's file, a Kustomize app's directory) names an environment; reported if not. */
  const knownEnvironment = (envName: string, file: string, shape: 'file' | 'directory'): boolean => {
    if (envFiles.some(([, n]) => n === envName)) return true;
    const guess = closest(envName, envFiles.map(([, n]) => n));
    const named = shape === 'file' ? 'overlay files are named' : 'the directories under overlays/ are named';
    errors.add({
      code: 'unknown-reference',
      message: `overlay for unknown environment "${envName}"`,
      file,
      hint: guess
        ? `did you mean overlays/${guess}${shape === 'file' ? '.yaml' : '/'}?`
        : `${named} after an environment in manifests/environments/${shape === 'directory' ? '; put shared pieces in components/ or another directory beside base/' : ''}`,
    });
    return false;
  };
  /** Kustomize overlays: kustomization file, app source, app, environment, the app's overlay map. */
  const overlayDirs: [string, 'app' | 'addon', string, string, Map<string, string>][] = [];
  for (const [file, source, dirName] of appFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!checkName(errors, dirName, file, source)) continue;
    // Values holding ${...} references are checked once resolved, per environment.
    if (!schemaValid('app', doc, errors, { deferReferences: true })) continue;
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
    apps.set(dirName, { kind: 'spec', name: dirName, source, dir: `manifests/${source}s/${dirName}`, doc, app, overlays: new Map(), exemptions: [] });
  }
  // Kustomize and chart apps: what they are is in their files; their own builds check the rest.
  for (const [key, kind] of [...kindOf].sort(([a], [b]) => compareStrings(a, b))) {
    if (kind === 'spec') continue;
    const [folder, dirName] = key.split('/') as ['apps' | 'addons', string];
    const source = folder === 'apps' ? 'app' : 'addon';
    const dir = `manifests/${key}`;
    const files = (ownFiles.get(key) ?? []).sort(compareStrings);
    const file = markers.get(key)![0]!;
    if (!checkName(errors, dirName, file, source)) continue;
    if (kind === 'chart') {
      apps.set(dirName, { kind, name: dirName, source, dir, file, exemptions: [] });
      continue;
    }
    const overlays = new Map<string, string>();
    for (const f of files) {
      const m = /^overlays\/([^/]+)\/([^/]+)$/.exec(f.slice(dir.length + 1));
      if (m && KUSTOMIZATION_NAMES.includes(m[2]!)) overlayDirs.push([f, source, dirName, m[1]!, overlays]);
    }
    apps.set(dirName, { kind, name: dirName, source, dir, file, overlays, files, exemptions: [] });
  }
  for (const [file, source, appName, envName] of overlayFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!schemaValid('app-overlay', doc, errors)) continue;
    const overlay = doc.data as AppOverlay;
    const app = apps.get(appName);
    if (!app || app.source !== source || app.kind !== 'spec') continue; // the app itself failed to load and was reported
    if (!knownEnvironment(envName, file, 'file')) continue;
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
  for (const [file, , , envName, overlays] of overlayDirs) {
    if (!knownEnvironment(envName, file, 'directory')) continue;
    overlays.set(envName, file);
  }

  for (const [file, source, appName] of exemptionFiles) {
    const doc = parse(file);
    if (!doc) continue;
    if (!schemaValid('exemptions', doc, errors)) continue;
    if (!noReferences(doc, 'exemptions.yaml', errors)) continue;
    const data = doc.data as Exemptions;
    const app = apps.get(appName);
    if (!app || app.source !== source) continue; // the app failed to load and was reported (a directory without an app is an orphan, above)
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
    let refused = false;
    data.exemptions.forEach((x, i) => {
      if (!UNEXEMPTABLE.has(x.policy)) return;
      refused = true;
      const pointer = `/exemptions/${i}/policy`;
      errors.add({
        code: 'policy',
        message: `policy "${x.policy}" cannot be exempted`,
        file,
        pointer,
        line: doc.lineOf(pointer),
        hint: `${UNEXEMPTABLE.get(x.policy)}; remove this exemption and fix the finding instead`,
      });
    });
    if (refused) continue;
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

  for (const [file, source, appName] of awsAccessFiles) {
    const app = apps.get(appName);
    if (!app || app.source !== source) continue; // as for exemptions
    if (app.kind === 'spec') {
      errors.add({ code: 'file-collision', message: 'a spec app declares its AWS access in app.yaml, not in aws-access.yaml', file, hint: `move it to spec.serviceAccount.aws of ${app.doc.file} and delete this file` });
      continue;
    }
    const doc = parse(file);
    if (!doc) continue;
    if (!schemaValid('aws-access', doc, errors, { deferReferences: true })) continue;
    // Only the policy statements are resolved (per environment, by the Pulumi program and the render).
    if (!noReferences(doc, 'aws-access.yaml outside spec.serviceAccount.aws.policy', errors, '/spec/serviceAccount/aws/policy')) continue;
    const data = doc.data as AwsAccessFile;
    if (data.metadata.name !== appName) {
      errors.add({ code: 'name-mismatch', message: `metadata.name "${data.metadata.name}" does not match its directory "${appName}"`, file, pointer: '/metadata/name', line: doc.lineOf('/metadata/name'), hint: `set metadata.name to "${appName}"` });
      continue;
    }
    app.awsAccess = { doc, data };
  }

  for (const app of apps.values()) {
    if (app.kind !== 'spec') continue;
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

  // 4. Enabled addons exist; overlays only for environments the app is deployed in.
  environments.sort((a, b) => compareStrings(a.name, b.name));
  const sortedApps = [...apps.values()].sort((a, b) => compareStrings(a.name, b.name));
  for (const { name: envName, doc: envDoc, env } of environments) {
    for (const addon of new Set(env.spec.addons ?? [])) {
      const a = apps.get(addon);
      // A directory that failed to load (or holds no app) was reported with its own file.
      if ((!a || a.source !== 'addon') && !markers.has(`addons/${addon}`) && !orphans.has(`addons/${addon}`)) {
        const pointer = `/spec/addons/${(env.spec.addons ?? []).indexOf(addon)}`;
        errors.add({
          code: 'unknown-reference',
          message: `addon "${addon}" is enabled but manifests/addons/${addon}/ holds no addon (app.yaml, chart.ts or base/kustomization.yaml)`,
          file: envDoc.file,
          pointer,
          line: envDoc.lineOf(pointer),
          hint: `add the addon, or remove it from spec.addons; known addons: ${sortedApps.filter((x) => x.source === 'addon').map((x) => x.name).join(', ') || 'none'}`,
        });
      }
    }
    // An addon is rendered here or installed by the hub's own ApplicationSets, never both.
    const rendered = new Map((env.spec.addons ?? []).map((a) => [a.replace(/-/g, '_'), a]));
    (env.spec.hubAddons ?? []).forEach((hubAddon, i) => {
      const addon = rendered.get(hubAddon);
      if (addon === undefined) return;
      const pointer = `/spec/hubAddons/${i}`;
      errors.add({
        code: 'schema',
        message: `addon "${addon}" is both rendered (spec.addons) and a hub addon (spec.hubAddons "${hubAddon}"): it would be installed twice`,
        file: envDoc.file,
        pointer,
        line: envDoc.lineOf(pointer),
        hint: `keep one: remove "${hubAddon}" from spec.hubAddons to render it from manifests/addons/${addon}/, or "${addon}" from spec.addons to let the hub's addon ApplicationSet install it`,
      });
    });
    for (const app of sortedApps) {
      if (app.kind === 'chart') continue;
      const overlay = app.overlays.get(envName);
      if (overlay && !isDeployed(app, envName, env)) {
        errors.add({
          code: 'unknown-reference',
          message: `overlay for environment "${envName}", where ${app.source === 'addon' ? 'the addon is not enabled' : 'the app is not deployed'}`,
          file: typeof overlay === 'string' ? overlay : overlay.doc.file,
          hint: app.source === 'addon' ? `enable it in manifests/environments/${envName}.yaml spec.addons, or delete the overlay` : `add "${envName}" to spec.environments of ${appFile(app)}, or delete the overlay`,
        });
      }
    }
  }

  const argocd = loadArgoCd(argocdFiles, parse, errors);
  return { environments, environmentNames: envFiles.map(([, n]) => n).sort(compareStrings), apps: sortedApps, ...(argocd && { argocd }) };
}

/** Whether an app runs in an environment: listed in its spec.environments (default all), and for an addon, enabled there. */
export function isDeployed(app: LoadedApp, envName: string, env: Environment): boolean {
  const listed = app.kind === 'spec' ? app.app.spec.environments : undefined;
  if (listed && !listed.includes(envName)) return false;
  return app.source === 'app' || (env.spec.addons ?? []).includes(app.name);
}

/** The apps of every kind deployed in one environment, sorted by name. */
export function appsIn(specs: Specs, envName: string, env: Environment): LoadedApp[] {
  return specs.apps.filter((app) => isDeployed(app, envName, env));
}

/** The spec apps deployed in one environment, sorted by name, each with its overlay for it. */
export function deploymentsIn(specs: Specs, envName: string, env: Environment): Deployment[] {
  return appsIn(specs, envName, env).flatMap((app) => (app.kind === 'spec' ? [specDeployment(app, envName)] : []));
}

/** A spec app with its overlay for one environment. */
export function specDeployment(app: LoadedSpecApp, envName: string): Deployment {
  return { app, ...(app.overlays.has(envName) && { overlay: app.overlays.get(envName)! }) };
}

/** A Kustomize app's kustomization annotation saying its namespace is not gitops-bridge's (the spec apps' `namespace: {managed: false}`). */
export const NAMESPACE_MANAGED_ANNOTATION = 'gitops-bridge.dev/namespace-managed';

/** The namespace an app deploys to in an environment, whether gitops-bridge owns it, and where that is written. */
export interface AppNamespace {
  name: string;
  managed: boolean;
  /** The file (and pointer in it) that sets the namespace, or the app's own file when it defaults to the app's name. */
  file: string;
  pointer?: string;
}

/**
 * The namespace a Kustomize app's Application deploys to in an environment: the `namespace` of
 * its entry kustomization (its overlay there, else the base), else the base's, else the app's
 * name; it is not gitops-bridge's when that kustomization (else the base) carries the annotation
 * NAMESPACE_MANAGED_ANNOTATION: "false". A chart app's is its name, gitops-bridge's.
 */
export function broughtNamespace(app: LoadedKustomizeApp | LoadedChartApp, envName: string, sources: SourceSet, parse: (text: string, file: string) => ParsedDocument = parseYaml): AppNamespace {
  if (app.kind === 'chart') return { name: app.name, managed: true, file: app.file };
  const read = (file: string) => {
    const data = parse(sources.get(file)!, file).data as { namespace?: unknown; metadata?: { annotations?: Record<string, unknown> } } | null;
    if (!data || typeof data !== 'object') return { file };
    const ns = typeof data.namespace === 'string' && !data.namespace.includes('${') ? data.namespace : undefined;
    const managed = data.metadata?.annotations?.[NAMESPACE_MANAGED_ANNOTATION];
    return { file, ns, managed: managed === undefined ? undefined : String(managed) !== 'false' };
  };
  const entry = read(app.overlays.get(envName) ?? app.file);
  const base = entry.file === app.file ? entry : read(app.file);
  const set = entry.ns !== undefined ? entry : base.ns !== undefined ? base : undefined;
  return { name: set?.ns ?? app.name, managed: entry.managed ?? base.managed ?? true, file: set?.file ?? app.file, ...(set && { pointer: '/namespace' }) };
}

/** The values of `${env.*}` and `${app.*}` for an app in an environment: the same for every kind of app. */
export function referenceVariables(env: { name: string; domain: string; tier: string }, app: { name: string; namespace: string }): Record<string, string> {
  return { 'env.name': env.name, 'env.domain': env.domain, 'env.tier': env.tier, 'app.name': app.name, 'app.namespace': app.namespace };
}

/** Base and overlay merged for one environment, with the variables its ${...} references may use. */
export function mergeSpec({ app, overlay }: Deployment, envName: string, env: Environment): MergedSpec {
  const merged = overlay ? mergeOverlay(app.app.spec, overlay.overlay.spec, overlay.doc.file, ['spec']) : { value: app.app.spec, fromOverlay: new Set<string>() };
  const ns = merged.value.namespace;
  const namespace = typeof ns === 'object' ? ns.name : (ns ?? app.name);
  return {
    spec: merged.value,
    namespace,
    namespaceManaged: typeof ns !== 'object' || ns.managed,
    variables: referenceVariables({ name: envName, ...env.spec }, { name: app.name, namespace }),
    whoSet: (pointer) => {
      const inSpec = pointer.startsWith('/spec') ? pointer.slice('/spec'.length) : undefined;
      return overlay && inSpec !== undefined && setByOverlay(merged.fromOverlay, inSpec) ? overlayDoc(overlay.doc, merged.value, inSpec) : app.doc;
    },
  };
}

/** The optional manifests/argocd.yaml, schema-checked; defaults are applied where it is used (generators/argocd/). */
function loadArgoCd(files: string[], parse: (file: string) => ParsedDocument | undefined, errors: ErrorSink): Specs['argocd'] {
  if (files.length > 1) {
    errors.add({ code: 'file-collision', message: `both ${files.join(' and ')} exist`, file: files[1], hint: 'keep one of them' });
    return undefined;
  }
  const doc = files[0] === undefined ? undefined : parse(files[0]);
  if (!doc) return undefined;
  return schemaValid('argocd', doc, errors) && noReferences(doc, 'manifests/argocd.yaml', errors) ? { file: doc.file, spec: (doc.data as ArgoCD).spec } : undefined;
}

/**
 * Whether a document is valid against a schema; its problems go to `errors`. A text that passed
 * the schema before (parse-cache.ts) is not checked again.
 */
function schemaValid(schema: SchemaName, doc: ParsedDocument, errors: ErrorSink, options: { deferReferences?: boolean } = {}): boolean {
  const cached = doc as Partial<CachedDocument>;
  const label = options.deferReferences ? `${schema} (references deferred)` : schema;
  if (cached.passed?.(label)) return true;
  const problems = validateAgainst(schema, doc.data, doc, undefined, options);
  problems.forEach((e) => errors.add(e));
  if (problems.length === 0) cached.pass?.(label);
  return problems.length === 0;
}

/** Whether a document that is not interpolated holds no `${...}` reference; each one found goes to `errors`. */
function noReferences(doc: ParsedDocument, what: string, errors: ErrorSink, skip?: string): boolean {
  const found = uninterpolatedReferences(doc.data, doc.file, doc.lineOf, what, skip);
  found.forEach((e) => errors.add(e));
  return found.length === 0;
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
