/**
 * Every object in the committed rendered/ validates against the Kubernetes schema of its kind
 * (kubernetes-models), and custom resources against their CRD models.
 */
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { join } from 'node:path';
import { repoRoot, snapshotDir } from '../helpers.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: object) => Validatable;

/** Module of the model for an apiVersion/kind; ExternalSecret v1 is checked with the v1beta1 model (same spec shape). */
async function modelFor(apiVersion: string, kind: string): Promise<{ Model: ModelClass; apiVersion: string } | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'external-secrets.io') {
    const m = (await import('@kubernetes-models/external-secrets/external-secrets.io/v1beta1')) as unknown as Record<string, ModelClass>;
    return m[kind] ? { Model: m[kind]!, apiVersion: 'external-secrets.io/v1beta1' } : undefined;
  }
  if (group === 'argoproj.io') {
    // Argo CD's kinds, then Argo Rollouts' (the package itself, not the check's precompiled copy of its schemas).
    const cd = (await import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1')) as unknown as Record<string, ModelClass>;
    const rollouts = (await import('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1')) as unknown as Record<string, ModelClass>;
    const Model = cd[kind] ?? rollouts[kind];
    return version === 'v1alpha1' && Model ? { Model, apiVersion } : undefined;
  }
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const m = (await import(path)) as unknown as Record<string, ModelClass>;
  return m[kind] ? { Model: m[kind]!, apiVersion } : undefined;
}

describe('rendered objects against Kubernetes schemas', () => {
  const files = [...snapshotDir(join(repoRoot, 'rendered'))].filter(([p]) => p.endsWith('.yaml'));

  it('has objects to check', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('validates every object against the schema of its kind', async () => {
    const failures: string[] = [];
    const kinds = new Set<string>();
    // Custom resources of a CRD rendered in their environment: the check stage validates them
    // against that CRD (test/check/rendered-crds.test.ts); no model package knows them.
    const renderedCrds = new Set<string>();
    for (const [path, text] of files) {
      const obj = yaml.load(text) as { kind: string; spec?: { group?: string; names?: { kind?: string } } };
      if (obj.kind === 'CustomResourceDefinition') renderedCrds.add(`${path.split('/')[0]}|${obj.spec?.group}|${obj.spec?.names?.kind}`);
    }
    let byRenderedCrd = 0;
    for (const [path, text] of files) {
      const obj = yaml.load(text) as { apiVersion: string; kind: string };
      if (renderedCrds.has(`${path.split('/')[0]}|${obj.apiVersion.split('/')[0]}|${obj.kind}`)) {
        byRenderedCrd++;
        continue;
      }
      const model = await modelFor(obj.apiVersion, obj.kind);
      if (!model) {
        failures.push(`${path}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      kinds.add(`${obj.apiVersion}/${obj.kind}`);
      try {
        new model.Model({ ...obj, apiVersion: model.apiVersion }).validate();
      } catch (e) {
        failures.push(`${path}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(byRenderedCrd).toBeGreaterThan(0);
    for (const k of ['apps/v1/Deployment', 'batch/v1/CronJob', 'v1/Service', 'networking.k8s.io/v1/Ingress', 'autoscaling/v2/HorizontalPodAutoscaler', 'policy/v1/PodDisruptionBudget', 'external-secrets.io/v1/ExternalSecret', 'v1/Namespace', 'v1/ResourceQuota', 'v1/LimitRange', 'networking.k8s.io/v1/NetworkPolicy', 'v1/ConfigMap', 'v1/ServiceAccount', 'argoproj.io/v1alpha1/Rollout', 'argoproj.io/v1alpha1/AnalysisTemplate']) {
      expect(kinds).toContain(k);
    }
  });

  it('the schema check can fail: a Deployment without containers is rejected', async () => {
    const model = await modelFor('apps/v1', 'Deployment');
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: 'nope' } } } };
    expect(() => new model!.Model(broken).validate()).toThrow();
  });
});
