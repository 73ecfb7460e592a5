/**
 * What an app's source renders from: plain data, the same in this thread, in a worker thread
 * (a structured clone) and in the unit cache's key. One kind of app input (a spec, a Kustomize
 * tree, a cdk8s chart, later perhaps a `helm template`) is one source: its unit input type here,
 * its renderer beside this file, and one case in index.ts.
 */
import type { ChartApp } from '../charts/app-chart.js';
import type { ChartAppInstance, EnvironmentInstance, KustomizeAppInstance, OverlayPatch, SpecAppInstance } from '../load/fleet.js';

/** An environment as a unit reads it. */
export interface UnitEnvironment {
  name: string;
  spec: EnvironmentInstance['spec'];
  file: string;
  snapshotFile: string;
  /** The bridge: the environment's stack outputs. */
  outputs: Record<string, string>;
  /** Every app of the environment: names and namespaces (network policy peers; namespaceManaged false: not gitops-bridge's, load/namespaces.ts), teams (namespace labels). */
  apps: { name: string; namespace: string; namespaceManaged?: false; team?: string }[];
}

/** An overlay patch without its line locator (errors are located on the main thread, see engine/engine.ts). */
export type UnitPatch = Omit<OverlayPatch, 'lineOf'> & { lineOf?: OverlayPatch['lineOf'] };

/** A spec app (app.yaml) as its unit reads it. */
export interface UnitSpecApp extends ChartApp {
  kind: 'spec';
  patches: UnitPatch[];
  /** Who set a spec pointer, base or overlay: main thread only, like the patches' lineOf. */
  specOrigin?: SpecAppInstance['specOrigin'];
}

/** A Kustomize app as its unit reads it: the files of its directory travel with it. */
export type UnitKustomizeApp = Omit<KustomizeAppInstance, 'exemptions'>;

/** A chart app as its unit reads it: the compiled module's URL and digest. */
export type UnitChartApp = Omit<ChartAppInstance, 'exemptions'>;

export type UnitApp = UnitSpecApp | UnitKustomizeApp | UnitChartApp;
