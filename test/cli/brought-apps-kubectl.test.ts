/**
 * The example Kustomize addon (manifests/addons/aws-load-balancer-controller/) through the CLI,
 * against real Kustomize: for each environment, what `render` writes under
 * rendered/<env>/aws-load-balancer-controller/ is what `kubectl kustomize` builds from the same
 * tree (overlays/<env>/, else base/) once the references are substituted into a copy of it as
 * plain text, apart from exactly what the project documents it adds to brought objects
 * (generators/sources/own-objects.ts): the sync-wave annotation, the standard labels the object
 * lacks (on it and its pod template), the app namespace on a namespaced object without one, and
 * no namespace on a cluster-scoped one (here the IngressClassParams, whose CRD is of Cluster
 * scope, which Kustomize does not know). Each addition is checked for its value, then removed,
 * and the rest must be deep-equal. Skipped, with a notice, without kubectl on PATH.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch.js';
import { cli, tempProject } from '../helpers.js';
import { hasKubectl, kubectlKustomizeCached, type KubectlKustomizeResult } from '../kustomize/kubectl.js';

const ADDON = 'aws-load-balancer-controller';
const ADDON_DIR = `manifests/addons/${ADDON}`;
/** The addon's namespace: its kustomization's `namespace`, which is also the Application's destination. */
const NAMESPACE = 'aws-load-balancer-controller';
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

if (!hasKubectl) console.warn('test/cli/brought-apps-kubectl.test.ts: kubectl is not on PATH, so the Kustomize addon is not compared with `kubectl kustomize` (skipped)');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };

const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
const keyOf = (o: Obj) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`;
const load = (text: string) => yaml.load(text, { schema: yaml.CORE_SCHEMA }) as Obj;

/** What `${...}` means in an environment, worked out from the inputs independently of the generators. */
function variables(root: string, env: string): Record<string, string> {
  const spec = (yaml.load(readFileSync(join(root, `manifests/environments/${env}.yaml`), 'utf8')) as { spec: { domain: string; tier: string } }).spec;
  const outputs = JSON.parse(readFileSync(join(root, `infra/outputs/${env}.json`), 'utf8')) as Record<string, string>;
  return {
    'env.name': env,
    'env.domain': spec.domain,
    'env.tier': spec.tier,
    'app.name': ADDON,
    'app.namespace': NAMESPACE,
    ...Object.fromEntries(Object.entries(outputs).map(([k, v]) => [`bridge.${k}`, v])),
  };
}

let project: ReturnType<typeof tempProject>;
let copies: string;
/** Per environment: the objects `render` wrote, and kubectl's build of the substituted copy. */
const rendered = new Map<string, Map<string, Obj>>();
const built = new Map<string, KubectlKustomizeResult>();

beforeAll(async () => {
  if (!hasKubectl) return;
  project = tempProject();
  copies = scratchDir('gitops-bridge-kubectl-');
  // Rendered afresh by the code under test, not the committed rendered/.
  rmSync(join(project.root, 'rendered'), { recursive: true });
  const requests: { dir: string; inputs: string }[] = [];
  for (const env of ENVIRONMENTS) {
    // The addon's tree copied, every ${...} of its YAML files substituted as text.
    const copy = join(copies, env);
    cpSync(join(project.root, ADDON_DIR), copy, { recursive: true });
    const vars = variables(project.root, env);
    const hash = createHash('sha256').update(env);
    for (const file of walk(copy).sort()) {
      let text = readFileSync(file, 'utf8');
      if (/\.ya?ml$/.test(file)) {
        text = text.replace(/\$\{((?:bridge|env|app)\.[A-Za-z0-9_]+)\}/g, (whole, name: string) => {
          if (!(name in vars)) throw new Error(`${file}: no value for ${whole}`);
          return vars[name]!;
        });
        writeFileSync(file, text);
      }
      hash.update(`${relative(copy, file)}\0${text}\0`);
    }
    const overlay = join(copy, 'overlays', env);
    let dir = join(copy, 'base');
    try {
      if (statSync(overlay).isDirectory()) dir = overlay;
    } catch {
      // no overlay for this environment: the base
    }
    requests.push({ dir, inputs: hash.digest('hex') });
  }
  const [render, results] = await Promise.all([cli(['--root', project.root, 'render', '--quiet']), kubectlKustomizeCached(requests)]);
  expect(render.stderr).toBe('');
  expect(render.code).toBe(0);
  ENVIRONMENTS.forEach((env, i) => {
    built.set(env, results[i]!);
    const dir = join(project.root, 'rendered', env, ADDON);
    rendered.set(env, new Map(readdirSync(dir).map((f) => {
      const o = load(readFileSync(join(dir, f), 'utf8'));
      return [keyOf(o), o];
    })));
  });
});

afterAll(() => {
  project?.cleanup();
  if (copies) rmSync(copies, { recursive: true, force: true });
});

/** Checks and removes what adoption adds to one object (see the file's header); `theirs` is kubectl's object. */
function stripAdditions(ours: Obj, theirs: Obj, env: string): Obj {
  const o = structuredClone(ours);
  const label = o.metadata.labels ?? {};
  const own = theirs.metadata.labels ?? {};
  // The standard labels it lacked, each with its documented value; those it had are untouched.
  const version = workloadImageTag(theirs);
  const standard: Record<string, string> = {
    'app.kubernetes.io/name': ADDON,
    'app.kubernetes.io/instance': `${ADDON}-${env}`,
    // The team its aws-access.yaml names.
    'app.kubernetes.io/part-of': 'platform',
    'app.kubernetes.io/managed-by': 'gitops-bridge',
    environment: env,
    ...(version !== undefined && { 'app.kubernetes.io/version': version }),
  };
  for (const [k, v] of Object.entries(standard)) {
    if (k in own) continue;
    expect(label[k], `${keyOf(o)} label ${k}`).toBe(v);
    delete label[k];
  }
  if (Object.keys(label).length === 0) delete o.metadata.labels;
  // The sync wave, always added.
  expect(o.metadata.annotations?.[SYNC_WAVE], `${keyOf(o)} sync wave`).toMatch(/^-?\d+$/);
  delete o.metadata.annotations![SYNC_WAVE];
  if (Object.keys(o.metadata.annotations!).length === 0) delete o.metadata.annotations;
  // The namespace: the app's where Kustomize left none; none at all on a cluster-scoped custom resource.
  if (theirs.metadata.namespace === undefined && o.metadata.namespace !== undefined) {
    expect(o.metadata.namespace).toBe(NAMESPACE);
    delete o.metadata.namespace;
  }
  if (o.kind === 'IngressClassParams') {
    expect(o.metadata.namespace).toBeUndefined();
    o.metadata.namespace = theirs.metadata.namespace!;
  }
  // The pod template's missing standard labels are the workload's own.
  const template = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
  const theirTemplate = (theirs.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
  if (template?.metadata?.labels) {
    const theirLabels = theirTemplate?.metadata?.labels ?? {};
    for (const k of Object.keys(standard)) {
      if (k in theirLabels) continue;
      expect(template.metadata.labels[k], `${keyOf(o)} pod template label ${k}`).toBe(own[k] ?? standard[k]);
      delete template.metadata.labels[k];
    }
  }
  return o;
}

/** The tag of a workload's first container image. */
function workloadImageTag(o: Obj): string | undefined {
  const image = (o.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers?.[0]?.image;
  return image?.slice(image.lastIndexOf(':') + 1);
}

describe.skipIf(!hasKubectl)('the Kustomize addon against kubectl kustomize', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: the same objects, apart from the documented additions`, () => {
      const result = built.get(env)!;
      if (!result.ok) throw new Error(result.error);
      const theirs = new Map((result.objects as Obj[]).map((o) => [keyOf(o), o]));
      const ours = rendered.get(env)!;
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [key, object] of ours) expect(stripAdditions(object, theirs.get(key)!, env), key).toEqual(theirs.get(key));
    });
  }

  it('covers what the overlays change: the environments differ as their overlays say', () => {
    const deployment = (env: string) => rendered.get(env)!.get(`apps/v1 Deployment ${ADDON}`) as Obj & { spec: { replicas: number } };
    expect(deployment('dev').spec.replicas).toBe(1);
    expect(deployment('prod').spec.replicas).toBe(2);
    expect(rendered.get('dev')!.has(`v1 Service ${ADDON}-metrics`)).toBe(false);
    expect(rendered.get('staging')!.has(`v1 Service ${ADDON}-metrics`)).toBe(true);
    expect(rendered.get('prod')!.has(`policy/v1 PodDisruptionBudget ${ADDON}`)).toBe(true);
  });
});
