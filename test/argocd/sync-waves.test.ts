import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOK, HOOK_DELETE_POLICY, SYNC_WAVE, withSyncWave } from '../../generators/argocd/sync-waves.js';
import { repoRoot, snapshotDir } from '../helpers.js';
import { objectsIn, unitDirectories, type Obj } from './hub.js';

const rendered = snapshotDir(join(repoRoot, 'rendered'));
const wave = (o: Obj) => {
  const w = o.metadata.annotations?.[SYNC_WAVE];
  expect(w, `${o.kind} ${o.metadata.name} has a sync wave`).toMatch(/^-?\d+$/);
  return Number(w);
};
const obj = (kind: string, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind, metadata: { name: 'x', ...(annotations && { annotations }) } });

describe('withSyncWave', () => {
  it('orders layers: CRDs, Namespaces, foundations, Jobs, workloads, exposure', () => {
    const order = ['CustomResourceDefinition', 'Namespace', 'ExternalSecret', 'Job', 'Deployment', 'Ingress'].map(
      (k) => Number(withSyncWave(obj(k)).metadata.annotations![SYNC_WAVE]),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(order.length);
    expect(withSyncWave(obj('SomethingUnknown')).metadata.annotations![SYNC_WAVE]).toBe(withSyncWave(obj('Deployment')).metadata.annotations![SYNC_WAVE]);
  });

  it('makes a Job a Sync hook recreated on each sync', () => {
    const job = withSyncWave(obj('Job'));
    expect(job.metadata.annotations).toMatchObject({ [HOOK]: 'Sync', [HOOK_DELETE_POLICY]: 'BeforeHookCreation' });
    expect(withSyncWave(obj('CronJob')).metadata.annotations![HOOK]).toBeUndefined();
  });

  it('keeps annotations an overlay patch set, and does not modify its input', () => {
    const input = obj('Deployment', { [SYNC_WAVE]: '7', other: 'kept' });
    expect(withSyncWave(input).metadata.annotations).toEqual({ [SYNC_WAVE]: '7', other: 'kept' });
    const plain = obj('ConfigMap');
    withSyncWave(plain);
    expect(plain.metadata).toEqual({ name: 'x' });
  });
});

describe('sync waves in the rendered manifests', () => {
  const dirs = unitDirectories(rendered);

  it('every rendered object has one', () => {
    for (const [path] of rendered) if (path.endsWith('.yaml')) expect(rendered.get(path)).toContain(`${SYNC_WAVE}: `);
  });

  it('Namespaces come before the quotas, limits and policies inside them', () => {
    for (const dir of dirs.filter((d) => d.endsWith('/namespaces'))) {
      const objects = objectsIn(rendered, dir);
      const namespaces = objects.filter((o) => o.kind === 'Namespace');
      expect(namespaces.length).toBeGreaterThan(0);
      const last = Math.max(...namespaces.map(wave));
      for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(wave(o), `${dir}: ${o.kind}`).toBeGreaterThan(last);
    }
  });

  it('ExternalSecrets, ConfigMaps and ServiceAccounts come before the workloads that use them; Ingresses and HPAs after', () => {
    let checked = 0;
    for (const dir of dirs) {
      const objects = objectsIn(rendered, dir);
      const workloads = objects.filter((o) => ['Deployment', 'CronJob', 'StatefulSet', 'DaemonSet'].includes(o.kind));
      if (workloads.length === 0) continue;
      const first = Math.min(...workloads.map(wave));
      const last = Math.max(...workloads.map(wave));
      for (const o of objects.filter((x) => ['ExternalSecret', 'ConfigMap', 'ServiceAccount', 'Secret', 'NetworkPolicy', 'ClusterRole', 'ClusterRoleBinding'].includes(x.kind))) {
        expect(wave(o), `${dir}: ${o.kind} ${o.metadata.name}`).toBeLessThan(first);
        checked++;
      }
      for (const o of objects.filter((x) => ['Ingress', 'HorizontalPodAutoscaler'].includes(x.kind))) {
        expect(wave(o), `${dir}: ${o.kind} ${o.metadata.name}`).toBeGreaterThan(last);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    const orders = objectsIn(rendered, 'dev/orders-api');
    expect(wave(orders.find((o) => o.kind === 'ExternalSecret')!)).toBeLessThan(wave(orders.find((o) => o.kind === 'Deployment')!));
    const report = objectsIn(rendered, 'prod/invoice-report');
    expect(wave(report.find((o) => o.kind === 'ExternalSecret')!)).toBeLessThan(wave(report.find((o) => o.kind === 'CronJob')!));
  });
});
