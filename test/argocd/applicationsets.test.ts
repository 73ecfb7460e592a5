/**
 * Plays the hub on the committed rendered/: builds the `rendered` branch tree, runs every
 * ApplicationSet's git directory generator over it (Go path.Match semantics) and renders the
 * Applications it would create, then checks them against the fleet and the other hub objects.
 */
import { readFleet } from '../../generators/workspace/fleet.js';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import yaml from 'js-yaml';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, editFile, repoRoot, snapshotDir, tempProject } from '../helpers.js';
import { branchFiles, generate, groupOf, hubObjects, objectsIn, projectPermits, projectPermitsKind, unitDirectories, type Generated, type Obj } from './hub.js';

const rendered = snapshotDir(join(repoRoot, 'rendered'));
const fleet = readFleet(repoRoot);
const hub = hubObjects(rendered);
const files = branchFiles(rendered);
const appSets = hub.filter((o) => o.kind === 'ApplicationSet');
const generated: Generated[] = appSets.flatMap((s) => generate(s, files));
const byPath = new Map(generated.map((g) => [g.path, g]));

const secretOf = (env: string) => hub.find((o) => o.kind === 'Secret' && o.metadata.labels?.['environment'] === env)!;
const clusterOf = (env: string) => {
  const data = secretOf(env)['stringData'] as Record<string, string>;
  return { name: data['name']!, server: data['server']! };
};
const projectNamed = (name: string) => hub.find((o) => o.kind === 'AppProject' && o.metadata.name === name);

describe('ApplicationSets on the rendered branch', () => {
  it('generate exactly one Application per <env>/<dir> directory, and nothing else', () => {
    expect(appSets.map((s) => s.metadata.name).sort()).toEqual(fleet.environments.map((e) => e.name).sort());
    const paths = generated.map((g) => g.path);
    expect(new Set(paths).size).toBe(paths.length); // no directory turned into two Applications
    expect([...paths].sort()).toEqual(unitDirectories(rendered));
    // ...which are exactly the fleet's units: every app, cluster-metadata and namespaces of every environment.
    const expected = fleet.environments.flatMap((e) => [`${e.name}/cluster-metadata`, `${e.name}/namespaces`, ...e.apps.map((a) => `${e.name}/${a.name}`)]);
    expect([...paths].sort()).toEqual(expected.sort());
  });

  it('never turns argocd/ (or anything outside an environment directory) into an Application', () => {
    for (const g of generated) {
      expect(g.path.split('/')).toHaveLength(2);
      expect(g.path.startsWith('argocd')).toBe(false);
      expect(g.path.split('/')[0]).toBe(g.applicationSet);
    }
  });

  it('gives every Application a unique name and a valid Argo CD spec', () => {
    const names = generated.map((g) => g.application.metadata.name);
    expect(new Set([...names, 'gitops-bridge']).size).toBe(names.length + 1);
    for (const g of generated) expect(() => new Application(g.application as never).validate(), g.path).not.toThrow();
  });

  it("sends each directory to its environment's cluster, in the directory's namespace", () => {
    for (const env of fleet.environments) {
      const cluster = clusterOf(env.name);
      expect(cluster).toEqual({ name: env.outputs['aws_cluster_name'], server: env.outputs['cluster_endpoint'] });
      const apps = generated.filter((g) => g.path.startsWith(`${env.name}/`));
      for (const g of apps) expect(g.application.spec.destination, g.path).toEqual({ name: cluster.name, namespace: expect.any(String) });
      for (const app of env.apps) expect(byPath.get(`${env.name}/${app.name}`)!.application.spec.destination.namespace).toBe(app.namespace);
      // cluster-metadata reaches this environment's cluster, in argocd where its ConfigMap lives.
      const metadata = byPath.get(`${env.name}/cluster-metadata`)!.application;
      expect(metadata.spec.destination).toEqual({ name: cluster.name, namespace: 'argocd' });
      expect(objectsIn(rendered, `${env.name}/cluster-metadata`).map((o) => [o.kind, o.metadata.namespace])).toEqual([['ConfigMap', 'argocd']]);
      expect(metadata.spec.syncPolicy?.syncOptions).toContain('CreateNamespace=true');
    }
    // Apps sharing a team namespace: the directory name is not the namespace.
    expect(byPath.get('dev/orders-api')!.application.spec.destination.namespace).toBe('orders');
    expect(byPath.get('dev/orders-worker')!.application.spec.destination.namespace).toBe('orders');
    expect(byPath.get('dev/orders-api')!.application.spec.syncPolicy?.syncOptions).toContain('CreateNamespace=false');
  });

  it('reads each directory as plain manifests from the rendered branch of this repository', () => {
    const config = yaml.load(rendered.get('argocd/application-gitops-bridge.yaml')!) as { spec: { source: { repoURL: string; targetRevision: string } } };
    for (const g of generated) {
      expect(g.application.spec.source).toEqual({
        repoURL: config.spec.source.repoURL,
        targetRevision: 'rendered',
        path: g.path,
        directory: { recurse: false, include: '*.yaml' },
      });
    }
  });

  it("puts each Application in its environment's AppProject, which allows everything it deploys", () => {
    const namespacedKinds = new Set<string>();
    for (const g of generated) {
      const env = g.path.split('/')[0]!;
      const spec = g.application.spec;
      expect(spec.project).toBe(env);
      const project = projectNamed(spec.project)!;
      expect(project, `AppProject ${spec.project}`).toBeDefined();
      const projectSpec = project['spec'] as { sourceRepos: string[]; clusterResourceWhitelist: { group: string; kind: string }[] };
      expect(projectSpec.sourceRepos).toEqual([spec.source.repoURL]);
      const cluster = clusterOf(env);
      expect(projectPermits(project, cluster, spec.destination.namespace!), `${g.path} -> ${spec.destination.namespace}`).toBe(true);
      for (const o of objectsIn(rendered, g.path)) {
        if (o.metadata.namespace !== undefined) {
          expect(projectPermits(project, cluster, o.metadata.namespace), `${g.path}: ${o.kind} ${o.metadata.name}`).toBe(true);
          expect(projectPermitsKind(project, groupOf(o.apiVersion), o.kind), `${g.path}: ${o.kind} ${o.metadata.name}`).toBe(true);
          namespacedKinds.add(`${groupOf(o.apiVersion)}/${o.kind}`);
        } else {
          expect(projectSpec.clusterResourceWhitelist, `${g.path}: cluster-scoped ${o.kind}`).toContainEqual({ group: groupOf(o.apiVersion), kind: o.kind });
        }
      }
      // ...and no other environment's cluster.
      for (const other of fleet.environments.filter((e) => e.name !== env)) {
        expect(projectPermits(project, clusterOf(other.name), spec.destination.namespace!)).toBe(false);
      }
    }
    // The Argo Rollouts kinds of spec.rollout among them.
    expect([...namespacedKinds]).toEqual(expect.arrayContaining(['argoproj.io/Rollout', 'argoproj.io/AnalysisTemplate', 'apps/Deployment']));
  });

  it('syncs automatically only where the environment asks for it, never an empty directory', () => {
    for (const env of fleet.environments) {
      for (const g of generated.filter((x) => x.path.startsWith(`${env.name}/`))) {
        const automated = g.application.spec.syncPolicy?.automated;
        if (env.spec.sync?.automated) expect(automated).toEqual({ prune: env.spec.sync.prune === true, selfHeal: env.spec.sync.selfHeal === true, allowEmpty: false });
        else expect(automated).toBeUndefined();
      }
    }
    expect(byPath.get('prod/orders-api')!.application.spec.syncPolicy?.automated).toBeUndefined();
    expect(byPath.get('dev/orders-api')!.application.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
  });

  it('leaves the replicas of HPA-scaled workloads to the HPA, and the traffic weights of a canary to Argo Rollouts, and only those', () => {
    for (const env of fleet.environments) {
      const objects = unitDirectories(rendered)
        .filter((d) => d.startsWith(`${env.name}/`))
        .flatMap((d) => objectsIn(rendered, d));
      const hpaTargets = objects
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => {
          const ref = (o['spec'] as { scaleTargetRef: { apiVersion: string; kind: string; name: string } }).scaleTargetRef;
          return { group: groupOf(ref.apiVersion), kind: ref.kind, name: ref.name, namespace: o.metadata.namespace, jsonPointers: ['/spec/replicas'] };
        });
      // The action annotation of the Ingress each canary routes through, named after its root Service.
      const routed = objects
        .filter((o) => o.kind === 'Rollout')
        .flatMap((o) => {
          const alb = (o['spec'] as { strategy: { canary?: { trafficRouting?: { alb: { ingress: string; rootService: string } } } } }).strategy.canary?.trafficRouting?.alb;
          if (!alb) return [];
          const ingress = objects.find((i) => i.kind === 'Ingress' && i.metadata.name === alb.ingress && i.metadata.namespace === o.metadata.namespace)!;
          expect(ingress.metadata.annotations).toHaveProperty([`alb.ingress.kubernetes.io/actions.${alb.rootService}`]);
          return [{ group: 'networking.k8s.io', kind: 'Ingress', name: alb.ingress, namespace: o.metadata.namespace, jsonPointers: [`/metadata/annotations/alb.ingress.kubernetes.io~1actions.${alb.rootService}`] }];
        });
      if (env.name === 'prod') expect(routed).toHaveLength(1);
      for (const g of generated.filter((x) => x.path.startsWith(`${env.name}/`))) {
        expect(new Set(g.application.spec.ignoreDifferences ?? [])).toEqual(new Set([...hpaTargets, ...routed]));
        expect(g.application.spec.syncPolicy?.syncOptions).toContain('RespectIgnoreDifferences=true');
      }
    }
    const prod = byPath.get('prod/orders-api')!.application.spec.ignoreDifferences!;
    expect(prod.map((d) => `${d.kind}/${d.name}`).sort()).toEqual(['Deployment/catalog-api', 'Deployment/orders-worker', 'Ingress/storefront', 'Rollout/storefront']);
    // The HPA-scaled workloads (storefront's Rollout in prod) render no replicas of their own.
    expect(objectsIn(rendered, 'prod/storefront').find((o) => o.kind === 'Rollout')!['spec']).not.toHaveProperty('replicas');
  });

  it('refuses to guess: a directory the ApplicationSet does not know fails its render, naming the directory', () => {
    const dev = appSets.find((s) => s.metadata.name === 'dev')!;
    expect(() => generate(dev, [...files, 'dev/brand-new-app/deployment-brand-new-app.yaml'])).toThrow(/dev\/brand-new-app has no namespace in ApplicationSet dev/);
  });
});

describe('app directories on the rendered branch', () => {
  it('hold no file Argo CD would try and fail to parse', () => {
    const manifestFile = /\.(yaml|yml|json|jsonnet)$/; // what a directory Application reads
    for (const dir of generated.map((g) => g.path)) {
      const inDir = files.filter((f) => f.startsWith(dir + '/'));
      expect(inDir.filter((f) => f.split('/').length !== 3), `${dir} has subdirectories`).toEqual([]);
      for (const f of inDir.filter((x) => manifestFile.test(x))) {
        expect(f, 'only .yaml manifests').toMatch(/\.yaml$/);
        const docs = yaml.loadAll(rendered.get(f)!) as Obj[];
        expect(docs, f).toHaveLength(1);
        const [doc] = docs;
        expect(typeof doc?.apiVersion, f).toBe('string');
        expect(typeof doc?.kind, f).toBe('string');
        expect(typeof doc?.metadata?.name, f).toBe('string');
      }
      // The provenance files beside them are not manifest extensions, so Argo CD skips them.
      expect(inDir.filter((x) => !manifestFile.test(x)).map((x) => x.slice(dir.length + 1)).sort()).toEqual(['README.md', 'hydrator.metadata']);
    }
  });
});

describe('ApplicationSets with layout: environment-branches', () => {
  it("generate the same Applications from each environment's active branch, where the environment's directory is the root", async () => {
    const p = tempProject();
    try {
      editFile(join(p.root, 'manifests/argocd.yaml'), (t) => t.replace('  hubType: self-managed', '  layout: environment-branches\n  hubType: self-managed'));
      const r = await cli(['--root', p.root, 'render', '-q']);
      expect(r.stderr).toBe('');
      const branched = snapshotDir(join(p.root, 'rendered'));
      // Only the hub changes: the environments render the same.
      for (const [path, text] of rendered) if (!path.startsWith('argocd/')) expect(branched.get(path), path).toBe(text);
      for (const env of fleet.environments) {
        const appSet = hubObjects(branched).find((o) => o.kind === 'ApplicationSet' && o.metadata.name === env.name)!;
        // environment/<env>: rendered/<env>/ at the root, with the provenance rendered:commit adds.
        const envFiles = branchFiles(new Map([...rendered].filter(([path]) => path.startsWith(`${env.name}/`)))).map((f) => f.replace(`${env.name}/`, ''));
        const onBranch = generate(appSet, envFiles);
        const single = generated.filter((g) => g.applicationSet === env.name);
        expect(onBranch.map((g) => g.path).sort()).toEqual(single.map((g) => g.path.slice(env.name.length + 1)).sort());
        for (const g of onBranch) {
          const same = byPath.get(`${env.name}/${g.path}`)!.application;
          expect(g.application.metadata.name).toBe(same.metadata.name);
          expect(g.application.spec.destination).toEqual(same.spec.destination);
          expect(g.application.spec.source).toEqual({ ...same.spec.source, targetRevision: `environment/${env.name}`, path: g.path });
        }
      }
      // The bootstrap Application still applies argocd/ of the rendered branch (the hub's, which nothing promotes).
      expect(branched.get('argocd/application-gitops-bridge.yaml')).toBe(rendered.get('argocd/application-gitops-bridge.yaml'));
    } finally {
      p.cleanup();
    }
  });

  it('refuse an environment whose active branch would be another environment\'s proposed one', async () => {
    const p = tempProject();
    try {
      editFile(join(p.root, 'manifests/argocd.yaml'), (t) => t.replace('  hubType: self-managed', '  layout: environment-branches\n  hubType: self-managed'));
      writeFileSync(join(p.root, 'manifests/environments/dev-next.yaml'), readFileSync(join(p.root, 'manifests/environments/dev.yaml'), 'utf8').replace('name: dev', 'name: dev-next'));
      writeFileSync(join(p.root, 'infra/outputs/dev-next.json'), readFileSync(join(p.root, 'infra/outputs/dev.json'), 'utf8').replace(/shop-dev/g, 'shop-dev-next').replace(/"cluster_endpoint": "[^"]+"/, '"cluster_endpoint": "https://dev-next.example.com"'));
      const r = await cli(['--root', p.root, 'render', '-q']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('environment "dev-next" would take the branch environment/dev-next, which is environment "dev"\'s proposed branch');
    } finally {
      p.cleanup();
    }
  });
});
