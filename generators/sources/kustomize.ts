/**
 * The Kustomize source: an app directory laid out as Kustomize users lay it out (base/, optional
 * components/, overlays/<env>/), built for one environment by the project's own Kustomize
 * (generators/kustomize/, no kustomize or kubectl binary), with the bridge reaching into it:
 * `${bridge.<key>}`, `${env.name|domain|tier}` and `${app.name|namespace}` in any YAML file of the
 * app (kustomizations, resources, patches) are resolved per environment before the build reads
 * the document, with the same errors as in a spec. Other `${...}` are left as written (vendored
 * manifests hold shell and template variables of their own). Pure.
 */
import type { RenderedObject } from '../charts/object.js';
import { kustomizeBuild } from '../kustomize/build.js';
import { interpolate, unknownBridgeKey } from '../load/interpolate.js';
import { referenceVariables } from '../load/specs.js';
import { adoptObjects } from './own-objects.js';
import type { UnitEnvironment, UnitKustomizeApp } from './types.js';

export function renderKustomizeApp(app: UnitKustomizeApp, env: UnitEnvironment): RenderedObject[] {
  const variables = referenceVariables({ name: env.name, ...env.spec }, app);
  const built = kustomizeBuild({
    files: new Map(app.sources),
    dir: app.entry,
    root: app.root,
    resolve: (data) =>
      interpolate(data, {
        variables,
        bridge: env.outputs,
        passThrough: true,
        unknown: (key, pointer) => unknownBridgeKey(key, pointer, app.name, env.name, env.outputs, env.snapshotFile),
      }),
  });
  return adoptObjects(
    built.map((b) => ({ object: b.object, source: b.file, ...(b.lineOf && { lineOf: b.lineOf }) })),
    app,
  );
}
