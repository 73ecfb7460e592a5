/**
 * Which branches a rendered commit writes, and what each holds, from manifests/argocd.yaml's
 * `spec.layout` (validated by the render that checked rendered/ before any commit):
 *
 *   single-branch          `rendered`: rendered/ as it is (environments and argocd/)
 *   environment-branches   `environment/<env>-next` per environment: rendered/<env>/ as its root
 *                          `rendered`: argocd/ only (the hub, which nothing promotes)
 *                          `environment/<env>`, the active branch, only created (from the
 *                          proposed branch's history) when it does not exist yet
 *
 * Promoter promotes by pull requests from `-next` to the active branch, so the two must share
 * history: the active branch starts at a commit of the proposed one. Splitting the tree reuses
 * the hashed directories of rendered/ as they are, so a branch costs what changed in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeBranch, DEFAULT_LAYOUT, proposedBranch, RENDERED_BRANCH, type BranchLayout } from '../argocd/settings.js';
import { BridgeError } from '../core/errors.js';
import { parseYaml } from '../load/yaml.js';
import { encodeTree, hashObject } from './object-format.js';
import { HUB_DIR } from './provenance.js';
import { entriesOf, type HashedDir } from './tree.js';

export type { BranchLayout } from '../argocd/settings.js';

/** Where a branch's app directories are, for their provenance. */
export type AppPlacement =
  /** `<env>/<app>`: every directory below a top-level directory but argocd/ (the single branch). */
  | { at: 'environments' }
  /** `<app>`: every top-level directory, of the environment `environment` (its proposed branch). */
  | { at: 'root'; environment: string }
  /** No app directories (the hub's branch). */
  | { at: 'none' };

export interface PlannedBranch {
  /** Short name, e.g. `environment/dev-next`. */
  branch: string;
  ref: string;
  /** The branch's content before provenance. */
  content: HashedDir;
  apps: AppPlacement;
  /** A proposed branch gets the hydrator note on its tip after every run; the hub's does not. */
  proposed: boolean;
  /** With environment branches: the active branch to create from this one's history when it is missing. */
  active?: { branch: string; ref: string };
}

export const ARGOCD_FILES = ['manifests/argocd.yaml', 'manifests/argocd.yml'];

/** The project's `spec.layout` (single-branch when manifests/argocd.yaml or the field is absent). */
export function readLayout(projectRoot: string): BranchLayout {
  const file = ARGOCD_FILES.find((f) => existsSync(join(projectRoot, f)));
  if (!file) return DEFAULT_LAYOUT;
  const data = parseYaml(readFileSync(join(projectRoot, file), 'utf8'), file).data as { spec?: { layout?: unknown } } | null;
  const layout = data?.spec?.layout ?? DEFAULT_LAYOUT;
  if (layout !== 'single-branch' && layout !== 'environment-branches') {
    throw new BridgeError({ code: 'schema', message: `spec.layout is ${JSON.stringify(layout)}`, file, pointer: '/spec/layout', hint: 'use single-branch or environment-branches' });
  }
  return layout;
}

function dirOf(files: HashedDir['files'], dirs: HashedDir['dirs']): HashedDir {
  const encoded = encodeTree(entriesOf({ files, dirs }));
  return { oid: hashObject('tree', encoded), encoded, files, dirs };
}

const ref = (branch: string) => `refs/heads/${branch}`;

/** The branches `rendered` becomes in `layout`, in the order they are published: environments first, the hub last. */
export function planBranches(layout: BranchLayout, rendered: HashedDir): PlannedBranch[] {
  if (layout === 'single-branch') return [{ branch: RENDERED_BRANCH, ref: ref(RENDERED_BRANCH), content: rendered, apps: { at: 'environments' }, proposed: true }];
  const out: PlannedBranch[] = [];
  for (const [env, dir] of [...rendered.dirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (env === HUB_DIR) continue;
    out.push({ branch: proposedBranch(env), ref: ref(proposedBranch(env)), content: dir, apps: { at: 'root', environment: env }, proposed: true, active: { branch: activeBranch(env), ref: ref(activeBranch(env)) } });
  }
  // The hub: argocd/ and any file at the top of rendered/, nothing of the environments.
  const hubDirs = new Map([...rendered.dirs].filter(([name]) => name === HUB_DIR));
  out.push({ branch: RENDERED_BRANCH, ref: ref(RENDERED_BRANCH), content: dirOf(rendered.files, hubDirs), apps: { at: 'none' }, proposed: false });
  return out;
}
