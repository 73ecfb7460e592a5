/**
 * `promote`: what a release changes, copied from one environment to the next on the dry side.
 * The field (the image by default: tag and digest) is read from the source environment's
 * effective spec (app.yaml with its overlay merged, references not resolved) and written into
 * the target environment's overlay as the smallest edit (overlay-edit.ts: only the differing
 * leaves, every other byte of the file kept); then the project is rendered and the rendered
 * diff of the target environment returned, the one the pull request will show.
 *
 * Refused, with nothing written:
 * - across a tier boundary the target forbids (`spec.promotion.fromTiers` of its environment);
 * - an image the source environment never ran: no commit of the branch it deploys from (the
 *   `rendered` branch, or `environment/<env>` with environment branches; origin's copy and the
 *   local one) has a manifest of the app naming it;
 * - a value holding `${...}` references (they resolve per environment: copying them is not
 *   promoting anything), a Kustomize or chart app (its images live in its own files), an app
 *   the target does not deploy.
 * If the render after the edit fails, the overlays are put back as they were.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BridgeError, ErrorSink } from '../core/errors.js';
import { closest } from '../core/strings.js';
import type { DiffReport } from '../diff/model.js';
import { imageRanIn } from '../git/history.js';
import { readLayout } from '../git/layout.js';
import { ObjectStore } from '../git/object-store.js';
import { findRepository } from '../git/repo.js';
import { isDeployed, loadSpecs, mergeSpec, specDeployment, type LoadedEnvironment, type LoadedSpecApp } from '../load/specs.js';
import type { Image } from '../load/types.gen.js';
import { readSources } from '../workspace/inputs.js';
import { diffCommand } from './diff.js';
import { editOverlay, type OverlayEdit } from './overlay-edit.js';
import { renderCommand, type RenderOutcome } from './render.js';
import type { AppDeps } from './render-project.js';

export interface PromoteRequest {
  /** Apps to promote (--app); with `all`, every spec app whose field differs. */
  apps: string[];
  all?: boolean;
  from: string;
  to: string;
  /** Dotted path under spec (default `image`). */
  field?: string;
}

export interface PromotedApp {
  app: string;
  /** The overlay written (created when `created`). */
  file: string;
  created: boolean;
  edits: OverlayEdit[];
  from: unknown;
  was: unknown;
  /** For an image: the commit of the source's branch whose manifests name it. */
  ranAt?: string;
}

export interface PromoteResult {
  field: string;
  promoted: PromotedApp[];
  /** Apps whose field is already the same in both environments. */
  same: string[];
  render?: RenderOutcome;
  diff?: DiffReport;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** The leaves to write so that `to` becomes `from`: differing keys of maps, a key `from` lacks as null (the overlay's "delete"), anything else whole. */
export function leafEdits(to: unknown, from: unknown, at: string[]): OverlayEdit[] {
  if (!isObject(to) || !isObject(from)) return same(to, from) ? [] : [{ path: at, value: from ?? null }];
  const out: OverlayEdit[] = [];
  for (const k of Object.keys(from)) out.push(...leafEdits(to[k], from[k], [...at, k]));
  for (const k of Object.keys(to)) if (!(k in from)) out.push({ path: [...at, k], value: null });
  return out;
}

/** The image as the rendered manifests write it. */
export function imageReference(image: Image): string {
  return image.tag !== undefined ? `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ''}` : `${image.repository}@${image.digest}`;
}

function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), value);
}

function overlayHeader(app: LoadedSpecApp, env: string): string {
  const depth = app.dir.split('/').length + 1;
  return [
    `# yaml-language-server: $schema=${'../'.repeat(depth)}schemas/app-overlay.schema.json`,
    'apiVersion: gitops-bridge.dev/v1alpha1',
    'kind: AppOverlay',
    'metadata:',
    `  name: ${app.name}`,
    `  environment: ${env}`,
    'spec:',
    '',
  ].join('\n');
}

function environment(envs: LoadedEnvironment[], name: string, option: string): LoadedEnvironment {
  const env = envs.find((e) => e.name === name);
  if (env) return env;
  const names = envs.map((e) => e.name);
  const guess = closest(name, names);
  throw new BridgeError({ code: 'usage', message: `${option} ${name}: no such environment`, hint: guess ? `did you mean "${guess}"? (${names.join(', ')})` : `environments: ${names.join(', ')}` });
}

export async function promoteCommand(request: PromoteRequest, deps: AppDeps): Promise<PromoteResult> {
  const ws = deps.workspace;
  const field = request.field ?? 'image';
  const path = field.split('.');
  if (path.some((k) => k === '') || request.from === request.to) {
    throw new BridgeError({ code: 'usage', message: request.from === request.to ? '--from and --to name the same environment' : `--field ${field}: a dotted path under spec, e.g. image or config.FEATURE_FLAGS` });
  }
  const written: { file: string; before: string | undefined }[] = [];
  const result: PromoteResult = { field, promoted: [], same: [] };
  const release = await ws.lock('promote');
  try {
    ws.recover();
    const errors = new ErrorSink();
    const specs = loadSpecs(readSources(ws.root), errors);
    errors.throwIfAny();
    const from = environment(specs.environments, request.from, '--from');
    const to = environment(specs.environments, request.to, '--to');
    const allowed = to.env.spec.promotion?.fromTiers;
    if (allowed && !allowed.includes(from.env.spec.tier)) {
      throw new BridgeError({
        code: 'policy',
        message: `refusing to promote from ${from.name} (tier ${from.env.spec.tier}) to ${to.name}: ${to.name} takes releases from ${allowed.join(', ')} environments only`,
        file: to.doc.file,
        pointer: '/spec/promotion/fromTiers',
        hint: `promote to ${to.name} from an environment of tier ${allowed.join(' or ')} (${specs.environments.filter((e) => allowed.includes(e.env.spec.tier)).map((e) => e.name).join(', ') || 'none yet'}) once it ran the release there`,
      });
    }

    const spec = specs.apps.filter((a): a is LoadedSpecApp => a.kind === 'spec');
    let chosen: LoadedSpecApp[];
    if (request.all) chosen = spec.filter((a) => isDeployed(a, from.name, from.env) && isDeployed(a, to.name, to.env));
    else {
      if (request.apps.length === 0) throw new BridgeError({ code: 'usage', message: 'name the apps to promote (--app <app>, repeatable) or pass --all' });
      chosen = request.apps.map((name) => {
        const app = specs.apps.find((a) => a.name === name);
        if (!app) {
          const guess = closest(name, specs.apps.map((a) => a.name));
          throw new BridgeError({ code: 'usage', message: `--app ${name}: no such app`, hint: guess ? `did you mean "${guess}"?` : 'see manifests/apps/ and manifests/addons/' });
        }
        if (app.kind !== 'spec') {
          throw new BridgeError({ code: 'usage', message: `--app ${name}: a ${app.kind === 'kustomize' ? 'Kustomize' : 'chart'} app keeps its images in its own files`, file: app.dir, hint: app.kind === 'kustomize' ? `set the image in ${app.dir}/overlays/${to.name}/kustomization.yaml (images:) by hand` : `change ${app.dir}/chart.ts by hand` });
        }
        for (const env of [from, to]) {
          if (!isDeployed(app, env.name, env.env)) throw new BridgeError({ code: 'usage', message: `--app ${name}: ${env.name} does not deploy it`, file: env.doc.file, hint: 'an addon deploys only where spec.addons lists it' });
        }
        return app;
      });
    }

    const repo = field === 'image' || path[0] === 'image' ? findRepository(ws.root, { consequence: 'so there is no rendered branch history to tell what the source environment ran' }) : undefined;
    const store = repo ? new ObjectStore(repo.commondir) : undefined;
    const layout = readLayout(ws.root);
    const plans: { app: LoadedSpecApp; file: string; before: string | undefined; text: string; promoted: PromotedApp }[] = [];
    for (const app of chosen) {
      const source = mergeSpec(specDeployment(app, from.name), from.name, from.env);
      const target = mergeSpec(specDeployment(app, to.name), to.name, to.env);
      const value = at(source.spec, path);
      const was = at(target.spec, path);
      if (value === undefined) {
        if (request.all) continue;
        throw new BridgeError({ code: 'usage', message: `${app.name} has no spec.${field} in ${from.name}`, file: app.doc.file, hint: 'name a field the app sets, e.g. --field image or --field config.FEATURE_FLAGS' });
      }
      if (same(value, was)) {
        result.same.push(app.name);
        continue;
      }
      if (JSON.stringify(value).includes('${')) {
        throw new BridgeError({ code: 'usage', message: `${app.name}: spec.${field} in ${from.name} holds \${...} references, which resolve per environment; promoting it would copy nothing`, file: source.whoSet(`/spec/${path.join('/')}`).file, hint: 'edit the target overlay by hand' });
      }
      let ranAt: string | undefined;
      const image = (path.length === 1 && path[0] === 'image' ? value : path[0] === 'image' ? { ...(source.spec.image as Image) } : undefined) as Image | undefined;
      if (image && repo && store) {
        const reference = imageReference(image);
        const branch = layout === 'environment-branches' ? `environment/${from.name}` : 'rendered';
        const answer = await imageRanIn({ dirs: repo, store, refs: [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`], path: layout === 'environment-branches' ? app.name : `${from.name}/${app.name}`, image: reference });
        if (!answer.commit) {
          throw new BridgeError({
            code: 'policy',
            message: answer.searched.length === 0
              ? `cannot tell whether ${from.name} ran ${reference}: there is no ${branch} branch here (origin/${branch} or ${branch})`
              : `refusing to promote ${app.name} to ${to.name}: ${from.name} never ran ${reference} (no commit of ${answer.searched.map((r) => r.replace(/^refs\/(heads|remotes)\//, '')).join(' or ')} has it in ${layout === 'environment-branches' ? app.name : `${from.name}/${app.name}`})`,
            hint: answer.searched.length === 0
              ? `fetch it (git fetch origin ${branch}) and run again`
              : `let ${from.name} run it first (merge, and let rendered:commit publish it${layout === 'environment-branches' ? `, then promote it into environment/${from.name}` : ''}), or fetch the branch if it did (git fetch origin ${branch})`,
          });
        }
        ranAt = answer.commit;
      }
      const existing = app.overlays.get(to.name)?.doc.file;
      const file = existing ?? join(app.dir, 'overlays', `${to.name}.yaml`);
      const before = existing ? readFileSync(join(ws.root, file), 'utf8') : undefined;
      const edits = leafEdits(was, value, path);
      const text = editOverlay(before ?? overlayHeader(app, to.name), edits, file);
      plans.push({ app, file, before, text, promoted: { app: app.name, file, created: before === undefined, edits, from: value, was, ...(ranAt && { ranAt }) } });
    }

    // All checks passed: write every overlay (each through a temporary file), then render.
    for (const p of plans) {
      const abs = join(ws.root, p.file);
      const tmp = `${abs}.promote-${process.pid}`;
      if (!existsSync(dirname(abs))) throw new BridgeError({ code: 'io', message: `${dirname(p.file)} does not exist`, file: p.file });
      writeFileSync(tmp, p.text);
      renameSync(tmp, abs);
      written.push({ file: abs, before: p.before });
      result.promoted.push(p.promoted);
    }
  } catch (e) {
    restore(written);
    throw e;
  } finally {
    release();
  }
  if (result.promoted.length === 0) return result;
  try {
    result.render = await renderCommand({}, deps);
  } catch (e) {
    restore(written);
    throw e;
  }
  result.diff = await diffCommand({ base: 'HEAD', env: [request.to], app: result.promoted.map((p) => p.app) }, deps);
  return result;
}

/** Puts overlays back as they were before this run (a created one is removed). */
function restore(written: { file: string; before: string | undefined }[]): void {
  for (const w of written.reverse()) {
    if (w.before === undefined) rmSync(w.file, { force: true });
    else writeFileSync(w.file, w.before);
  }
  written.length = 0;
}
