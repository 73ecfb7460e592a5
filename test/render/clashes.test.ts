/** engine/clashes.ts and load/namespaces.ts on their own: what is a clash between apps, and whose namespace is whose. */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../generators/charts/object.js';
import { ErrorSink, BridgeErrors, BridgeError } from '../../generators/core/errors.js';
import { findClashes } from '../../generators/engine/clashes.js';
import type { UnitPlan } from '../../generators/engine/units.js';
import { checkNamespaceOwners, foreignNamespaces } from '../../generators/load/namespaces.js';
import type { Environment } from '../../generators/load/types.gen.js';

const plan = (env: string, dir: string): UnitPlan => ({ unit: `${env}/${dir}`, env, dir, kind: 'app' });
const view = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name, ...(namespace !== undefined && { namespace }) } });
const ingress = (name: string, namespace: string, host: string | undefined, paths: string[], ingressClassName = 'alb'): KubeObject => ({
  ...view('Ingress', name, namespace, 'networking.k8s.io/v1'),
  spec: { ingressClassName, rules: [{ ...(host !== undefined && { host }), paths }] },
});

describe('findClashes', () => {
  it('finds one object of two units of an environment, namespaced or cluster-scoped', () => {
    const clashes = findClashes([
      { plan: plan('dev', 'a'), views: [view('ServiceAccount', 'api', 'shop'), view('ClusterRole', 'reader', undefined, 'rbac.authorization.k8s.io/v1')] },
      { plan: plan('dev', 'b'), views: [view('ServiceAccount', 'api', 'shop'), view('ClusterRole', 'reader', undefined, 'rbac.authorization.k8s.io/v1')] },
    ]);
    expect(clashes.map((c) => [c.what, c.first.plan.unit, c.second.plan.unit, c.second.index])).toEqual([
      ['ServiceAccount shop/api', 'dev/a', 'dev/b', 0],
      ['ClusterRole reader', 'dev/a', 'dev/b', 1],
    ]);
  });

  it('is not fooled by other namespaces, kinds, API groups or environments', () => {
    expect(
      findClashes([
        { plan: plan('dev', 'a'), views: [view('ServiceAccount', 'api', 'shop'), view('ConfigMap', 'x', 'shop'), view('Foo', 'x', 'shop', 'a.example.com/v1')] },
        { plan: plan('dev', 'b'), views: [view('ServiceAccount', 'api', 'other'), view('Secret', 'x', 'shop'), view('Foo', 'x', 'shop', 'b.example.com/v1')] },
        { plan: plan('prod', 'b'), views: [view('ServiceAccount', 'api', 'shop')] },
      ]),
    ).toEqual([]);
  });

  it('finds one ingress host and path claimed twice, also within one unit, and only in one ingress class', () => {
    const clashes = findClashes([
      { plan: plan('dev', 'a'), views: [ingress('a', 'a', 'www.example.com', ['/', '/api']), ingress('a2', 'a', 'www.example.com', ['/api'])] },
      { plan: plan('dev', 'b'), views: [ingress('b', 'b', 'www.example.com', ['/']), ingress('b2', 'b', 'www.example.com', ['/'], 'nginx'), ingress('b3', 'b', undefined, ['/static'])] },
      { plan: plan('dev', 'c'), views: [ingress('c', 'c', undefined, ['/static'])] },
    ]);
    expect(clashes.map((c) => [c.kind, c.what, c.first.plan.unit, c.second.plan.unit])).toEqual([
      ['ingress', 'host "www.example.com", path "/api" (ingress class alb)', 'dev/a', 'dev/a'],
      ['ingress', 'host "www.example.com", path "/" (ingress class alb)', 'dev/a', 'dev/b'],
      ['ingress', 'every host, path "/static" (ingress class alb)', 'dev/b', 'dev/c'],
    ]);
  });
});

describe('namespace owners', () => {
  const env = (hubAddons: string[], addons: string[] = []) => ({ spec: { hubAddons, addons } }) as unknown as Environment;
  const errorsOf = (claims: Parameters<typeof checkNamespaceOwners>[0], foreign: Map<string, string>): BridgeError[] => {
    const sink = new ErrorSink();
    checkNamespaceOwners(claims, foreign, sink);
    try {
      sink.throwIfAny();
      return [];
    } catch (e) {
      return e instanceof BridgeErrors ? e.errors : [e as BridgeError];
    }
  };
  const claim = (app: string, namespace: string, managed = true) => ({ app, namespace, managed, site: () => ({ file: `manifests/apps/${app}/app.yaml`, pointer: '/spec/namespace', line: 9 }) });

  it("are the cluster's, Argo CD's and the hub addons' (by their bridge key, else upstream's default), not a rendered addon's", () => {
    const foreign = foreignNamespaces(env(['cert_manager', 'external_secrets', 'aws_load_balancer_controller'], ['aws-load-balancer-controller']), { external_secrets_namespace: 'eso' }, 'gitops');
    expect(Object.fromEntries(foreign)).toEqual({
      default: "the cluster's own",
      'kube-node-lease': "the cluster's own",
      'kube-public': "the cluster's own",
      'kube-system': "the cluster's own",
      gitops: "Argo CD's",
      'cert-manager': "the hub addon cert_manager's",
      eso: "the hub addon external_secrets's",
    });
  });

  it('refuse an app that would take one over unless it says managed: false; apps of a namespace must agree', () => {
    const foreign = foreignNamespaces(env([]), {}, 'argocd');
    expect(errorsOf([claim('a', 'kube-system', false), claim('b', 'shop'), claim('c', 'shop')], foreign)).toEqual([]);
    const [taken] = errorsOf([claim('a', 'kube-system')], foreign);
    expect(taken).toMatchObject({ file: 'manifests/apps/a/app.yaml', pointer: '/spec/namespace', line: 9 });
    expect(taken!.message).toContain('app "a" deploys into namespace "kube-system"');
    const [split] = errorsOf([claim('a', 'shop', false), claim('b', 'shop')], foreign);
    expect(split).toMatchObject({ file: 'manifests/apps/b/app.yaml' });
    expect(split!.message).toContain('only "a" says gitops-bridge does not own it');
  });
});
