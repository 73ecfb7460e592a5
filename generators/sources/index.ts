/**
 * App sources: each kind of app input renders an app's objects in one environment from its
 * plain-data unit input (types.ts). A new kind of input (a `helm template`-backed source, say)
 * is a new unit input type, a renderer beside these, and a case here; labels, sync waves, the
 * check, exemptions, layout, the cache and the write are the engine's, the same for every kind.
 * Pure.
 */
import type { RenderedObject } from '../charts/object.js';
import { renderChartApp } from './chart.js';
import { renderKustomizeApp } from './kustomize.js';
import { renderSpecApp } from './spec.js';
import type { UnitApp, UnitEnvironment } from './types.js';

export type { UnitApp, UnitChartApp, UnitEnvironment, UnitKustomizeApp, UnitPatch, UnitSpecApp } from './types.js';

/** The objects of an app in one environment, before sync waves and layout. */
export function renderAppObjects(app: UnitApp, env: UnitEnvironment): RenderedObject[] {
  switch (app.kind) {
    case 'spec':
      return renderSpecApp(app, env);
    case 'kustomize':
      return renderKustomizeApp(app, env);
    case 'chart':
      return renderChartApp(app, env);
  }
}
