/** The objects of rendered/argocd/: valid against the Argo CD CRDs, and the contracts they carry. */
import { readFleet } from '../../generators/workspace/fleet.js';
import { Application, ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Secret } from 'kubernetes-models/v1';
import yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretReason } from '../../generators/core/secrets.js';
import { repoRoot, snapshotDir } from '../helpers.js';
import { hubObjects, type Obj } from './hub.js';

const rendered = snapshotDir(join(repoRoot, 'rendered'));
const fleet = readFleet(repoRoot);
const hub = hubObjects(rendered);
const config = (yaml.load(readFileSync(join(repoRoot, 'manifests/argocd.yaml'), 'utf8')) as { spec: { repoURL: string } }).spec;
const models: Record<string, new (data: never) => { validate(): void }> = { Application, ApplicationSet, AppProject, Secret };
const ofKind = (kind: string) => hub.filter((o) => o.kind === kind);
const spec = (o: Obj) => o['spec'] as Record<string, unknown>;

describe('rendered/argocd objects', () => {
  it('are one ApplicationSet, AppProject and cluster Secret per environment, and the bootstrap Application, all in argocd', () => {
    const envs = fleet.environments.map((e) => e.name).sort();
    expect(ofKind('ApplicationSet').map((o) => o.metadata.name).sort()).toEqual(envs);
    expect(ofKind('AppProject').map((o) => o.metadata.name).sort()).toEqual(envs);
    expect(ofKind('Secret').map((o) => o.metadata.name).sort()).toEqual(envs.map((e) => `cluster-${e}`));
    expect(ofKind('Application').map((o) => o.metadata.name)).toEqual(['gitops-bridge']);
    expect(hub).toHaveLength(3 * envs.length + 1);
    for (const o of hub) expect(o.metadata.namespace).toBe('argocd');
    // The bootstrap Application reads argocd/ without recursion: everything sits at its root.
    for (const path of rendered.keys()) if (path.startsWith('argocd/')) expect(path).toMatch(/^argocd\/[^/]+\.yaml$/);
  });

  it('validate against the Argo CD CRD schemas and the Kubernetes Secret schema', () => {
    for (const o of hub) {
      const Model = models[o.kind];
      expect(Model, o.kind).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('the validation can fail', () => {
    const appSet = structuredClone(ofKind('ApplicationSet')[0]!);
    (spec(appSet)['generators'] as { git: { directories: unknown } }[])[0]!.git.directories = 'dev/*';
    expect(() => new ApplicationSet(appSet as never).validate()).toThrow();
    const secret = structuredClone(ofKind('Secret')[0]!);
    secret['stringData'] = { name: 1 };
    expect(() => new Secret(secret as never).validate()).toThrow();
  });
});

describe('ApplicationSets', () => {
  it('use Go templates that fail on a missing key, and never delete an Application or what it deployed', () => {
    for (const s of ofKind('ApplicationSet')) {
      expect(spec(s)['goTemplate']).toBe(true);
      expect(spec(s)['goTemplateOptions']).toEqual(['missingkey=error']);
      expect(spec(s)['syncPolicy']).toEqual({ applicationsSync: 'create-update', preserveResourcesOnDeletion: true });
      expect(s.metadata['finalizers']).toEqual(['resources-finalizer.argocd.argoproj.io']);
      const template = spec(s)['template'] as { metadata: { finalizers?: unknown } };
      expect(template.metadata.finalizers).toBeUndefined();
    }
  });

  it('read the directories of their own environment on the rendered branch of this repository', () => {
    for (const s of ofKind('ApplicationSet')) {
      expect(spec(s)['generators']).toEqual([
        {
          git: {
            repoURL: config.repoURL,
            revision: 'rendered',
            directories: [{ path: `${s.metadata.name}/*` }],
            values: expect.any(Object),
          },
        },
      ]);
    }
  });
});

describe('AppProjects', () => {
  it("allow this repository, the environment's cluster and its namespaces, and the allow-listed cluster-scoped kinds", () => {
    for (const env of fleet.environments) {
      const p = ofKind('AppProject').find((o) => o.metadata.name === env.name)!;
      expect(spec(p)['sourceRepos']).toEqual([config.repoURL]);
      const destinations = spec(p)['destinations'] as { name: string; namespace: string }[];
      expect(new Set(destinations.map((d) => d.name))).toEqual(new Set([env.outputs['aws_cluster_name']]));
      expect(destinations.map((d) => d.namespace)).toEqual(['argocd', ...new Set(env.apps.map((a) => a.namespace))].sort());
      expect(spec(p)['clusterResourceWhitelist']).toEqual([
        { group: '', kind: 'Namespace' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        { group: 'networking.k8s.io', kind: 'IngressClass' },
        { group: 'elbv2.k8s.aws', kind: 'IngressClassParams' },
      ]);
      expect(p.metadata['finalizers']).toEqual(['resources-finalizer.argocd.argoproj.io']);
    }
  });
});

describe('cluster Secrets (gitops-bridge format)', () => {
  it('carry the bridge labels and annotations, awsAuthConfig and caData, and no credential', () => {
    for (const env of fleet.environments) {
      const s = ofKind('Secret').find((o) => o.metadata.labels?.['environment'] === env.name)!;
      // Upstream puts these in labels and annotations both.
      const both = {
        cluster_name: env.outputs['aws_cluster_name'],
        environment: env.name,
      };
      expect(s.metadata.labels).toMatchObject({
        'argocd.argoproj.io/secret-type': 'cluster',
        ...both,
        kubernetes_version: env.outputs['kubernetes_version'],
        aws_cluster_name: env.outputs['aws_cluster_name'],
      });
      // enable_<addon> only for hub addons: the addons this project renders never get it.
      const addons = Object.keys(s.metadata.labels!).filter((k) => k.startsWith('enable_'));
      expect(addons.sort()).toEqual((env.spec.hubAddons ?? []).map((a) => `enable_${a}`).sort());
      expect(env.spec.addons!.length).toBeGreaterThan(0);
      for (const a of env.spec.addons!) expect(s.metadata.labels).not.toHaveProperty(`enable_${a.replace(/-/g, '_')}`);
      for (const a of addons) expect(s.metadata.labels![a]).toBe('true');
      const { ['argocd.argoproj.io/sync-wave']: wave, ...annotations } = s.metadata.annotations!;
      expect(wave).toBe('-1');
      const repo = fleet.argocd!.spec;
      expect(annotations).toEqual({
        ...env.outputs,
        ...both,
        addons_repo_url: repo.addonsRepo!.url,
        addons_repo_basepath: repo.addonsRepo!.basepath,
        addons_repo_path: repo.addonsRepo!.path,
        addons_repo_revision: repo.addonsRepo!.revision,
        workload_repo_url: repo.repoURL,
        workload_repo_basepath: '',
        workload_repo_path: '',
        workload_repo_revision: repo.targetRevision,
      });

      const data = s['stringData'] as Record<string, string>;
      expect(Object.keys(data).sort()).toEqual(['config', 'name', 'server']);
      expect(data['name']).toBe(env.outputs['aws_cluster_name']);
      expect(data['server']).toBe(env.outputs['cluster_endpoint']);
      expect(JSON.parse(data['config']!)).toEqual({
        awsAuthConfig: { clusterName: env.outputs['aws_cluster_name'], roleARN: env.outputs['argocd_hub_role_arn'] },
        tlsClientConfig: { insecure: false, caData: env.outputs['cluster_certificate_authority_data'] },
      });
      expect(s['data']).toBeUndefined();
      for (const [k, v] of [...Object.entries(data), ...Object.entries(annotations)]) expect(secretReason(k, v), k).toBeUndefined();
    }
  });
});

describe('the bootstrap Application', () => {
  it('applies argocd/ of the rendered branch on the hub, self-healing, never pruning', () => {
    const app = ofKind('Application')[0]!;
    expect(spec(app)).toEqual({
      project: 'default',
      source: { repoURL: config.repoURL, targetRevision: 'rendered', path: 'argocd', directory: { recurse: false, include: '*.yaml' } },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: {
        automated: { prune: false, selfHeal: true, allowEmpty: false },
        syncOptions: ['CreateNamespace=false', 'PrunePropagationPolicy=background', 'FailOnSharedResource=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    });
  });

  it('creates the AppProjects and cluster Secrets before the ApplicationSets that use them', () => {
    const wave = (o: Obj) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const first = Math.max(...[...ofKind('AppProject'), ...ofKind('Secret')].map(wave));
    for (const s of ofKind('ApplicationSet')) expect(wave(s)).toBeGreaterThan(first);
  });
});
