/**
 * The Kustomize apps of a mixed synthetic fleet, built by `kubectl kustomize` and by gitops-bridge
 * in the same run, for `npm run bench -- --mix`.
 *
 * kubectl knows nothing of `${bridge.<key>}` or `${env.*}`, so each environment gets a copy of
 * those app directories with the values substituted as gitops-bridge resolves them (the
 * environment's snapshot, its name, domain and tier, the app's name and namespace); it is built
 * one process per app and environment (as Argo CD builds an Application) and one process per
 * environment (a kustomization naming every app's overlay, else its base: Kustomize's best
 * case). Each per-app output is compared, object for object, with gitops-bridge's own build
 * (generators/kustomize) of the same substituted files, so the two are known to do the same work.
 *
 * gitops-bridge's side, in this process: renderKustomizeApp over the same apps and environments,
 * what one Kustomize unit does before its check and layout (the `${...}` resolution, the build,
 * the adoption of the objects). The CLI's side (a cold render of the same apps in a new process)
 * is timed by bench.ts.
 */
import { load as loadYaml, loadAll } from 'js-yaml';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { unitEnvironment } from '../generators/engine/units.js';
import { kustomizeBuild } from '../generators/kustomize/build.js';
import type { Fleet, KustomizeAppInstance } from '../generators/load/fleet.js';
import { renderKustomizeApp } from '../generators/sources/kustomize.js';

/** The Kustomize app instances of a fleet, by environment. */
export function kustomizeInstances(fleet: Fleet): { env: Fleet['environments'][number]; apps: KustomizeAppInstance[] }[] {
  return fleet.environments.map((env) => ({ env, apps: env.apps.filter((a): a is KustomizeAppInstance => a.kind === 'kustomize') }));
}

/** gitops-bridge's build of every Kustomize app in every environment, in this process, one thread: ms and objects. */
export function buildInProcess(fleet: Fleet): { ms: number; objects: number } {
  let objects = 0;
  const t = performance.now();
  for (const { env, apps } of kustomizeInstances(fleet)) {
    const unitEnv = unitEnvironment(env);
    for (const app of apps) {
      const { exemptions: _exemptions, team: _team, ...unitApp } = app;
      objects += renderKustomizeApp(unitApp, unitEnv).length;
    }
  }
  return { ms: performance.now() - t, objects };
}

/** `${bridge.<key>}`, `${env.<field>}` and `${app.<field>}` replaced as gitops-bridge resolves them; other `${...}` left as written. */
function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{((?:bridge|env|app)\.[A-Za-z0-9_-]+)\}/g, (all, key: string) => values[key] ?? all);
}

export interface KubectlTree {
  /** Per environment: its directory (a kustomization of every app) and each app's entry directory. */
  envs: { name: string; dir: string; apps: { name: string; entry: string; root: string }[] }[];
  /** The substituted files, relative to each environment's directory. */
  files: Map<string, Map<string, string>>;
}

/** Writes, under `dir`, one substituted copy of the Kustomize apps per environment. */
export function writeKubectlTree(fleet: Fleet, dir: string): KubectlTree {
  const tree: KubectlTree = { envs: [], files: new Map() };
  for (const { env, apps } of kustomizeInstances(fleet)) {
    const envDir = join(dir, env.name);
    const files = new Map<string, string>();
    const entries: KubectlTree['envs'][number]['apps'] = [];
    for (const app of apps) {
      const values: Record<string, string> = {
        'env.name': env.name,
        'env.domain': env.spec.domain,
        'env.tier': env.spec.tier,
        'app.name': app.name,
        'app.namespace': app.namespace,
      };
      for (const [key, value] of Object.entries(env.outputs)) values[`bridge.${key}`] = value;
      for (const [file, text] of app.sources) {
        const rel = file.slice(app.root.length - app.name.length); // <app>/...
        const out = /\.ya?ml$/.test(file) || /\/Kustomization$/.test(file) ? substitute(text, values) : text;
        files.set(`apps/${rel}`, out);
        mkdirSync(dirname(join(envDir, 'apps', rel)), { recursive: true });
        writeFileSync(join(envDir, 'apps', rel), out);
      }
      entries.push({ name: app.name, root: `apps/${app.name}`, entry: `apps/${app.entry.slice(app.root.length - app.name.length)}` });
    }
    writeFileSync(join(envDir, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${entries.map((e) => `  - ${e.entry}`).join('\n')}\n`);
    tree.envs.push({ name: env.name, dir: envDir, apps: entries });
    tree.files.set(env.name, files);
  }
  return tree;
}

const kubectl = (dir: string): string => {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};

const documents = (yaml: string): unknown[] => loadAll(yaml).filter((d) => d !== null && d !== undefined);

/**
 * `kubectl kustomize` once per app and environment, sequentially: the total wall time, the
 * objects, and how many of the builds equal gitops-bridge's build of the same files.
 */
export function kubectlPerApp(tree: KubectlTree): { ms: number; objects: number; builds: number; same: number } {
  let ms = 0;
  let objects = 0;
  let builds = 0;
  let same = 0;
  for (const env of tree.envs) {
    const files = tree.files.get(env.name)!;
    for (const app of env.apps) {
      const t = performance.now();
      const out = kubectl(join(env.dir, app.entry));
      ms += performance.now() - t;
      const theirs = documents(out);
      objects += theirs.length;
      builds++;
      const ours = kustomizeBuild({ files, dir: app.entry, root: app.root }).map((o) => o.object);
      // Through YAML and back, as kubectl's objects came (no undefined, plain objects).
      if (isDeepStrictEqual(theirs, ours.map((o) => loadYaml(JSON.stringify(o))))) same++;
    }
  }
  return { ms, objects, builds, same };
}

/** `kubectl kustomize` once per environment (every app in one build), sequentially: total wall time and objects. */
export function kubectlPerEnv(tree: KubectlTree): { ms: number; objects: number } {
  let ms = 0;
  let objects = 0;
  for (const env of tree.envs) {
    const t = performance.now();
    const out = kubectl(env.dir);
    ms += performance.now() - t;
    objects += documents(out).length;
  }
  return { ms, objects };
}

/** Whether kubectl is on PATH. */
export const hasKubectl = (): boolean => spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

