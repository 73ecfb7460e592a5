/**
 * The I/O edge of `diff`: the base manifests, read from git through generators/git (the same
 * repository discovery, revision resolution, verified object reads and blob hashing as
 * rendered:commit; no git binary needed). By default rendered/ as committed at HEAD;
 * `--base <ref>` reads rendered/ at that ref, or, when the ref is the `rendered` branch (or any
 * commit of it), the tree root minus the provenance files (hydrator.metadata, README.md,
 * .gitattributes).
 */
import { resolve } from 'node:path';
import { hashObject, isTreeMode } from '../git/object-format.js';
import { ObjectStore } from '../git/object-store.js';
import { findRepository, projectPrefix } from '../git/repo.js';
import { resolveRevision, splitRevision } from '../git/revision.js';
import type { BaseInfo } from './model.js';

/** Files the commit step adds to the `rendered` branch that are not manifests. */
export const PROVENANCE_FILES = new Set(['hydrator.metadata', 'README.md', '.gitattributes']);

export interface BaseFiles {
  /** Path under rendered/ (or under the branch root) -> text. */
  files: Map<string, string>;
  info: BaseInfo;
}

/**
 * Reads the base. `known` (path -> text, e.g. the fresh render) lets unchanged blobs be taken
 * from memory when their git hash matches, so only what changed is read from the object store.
 */
export async function readBase(root: string, ref: string, known?: ReadonlyMap<string, string>): Promise<BaseFiles> {
  const dirs = findRepository(resolve(root), {
    consequence: 'so there is no committed rendered/ to compare with',
    hint: 'run `git init` and commit, or use `npm run check` to compare with rendered/ on disk',
  });
  const store = new ObjectStore(dirs.commondir);
  const commit = await resolveRevision(dirs, store, ref);
  const short = commit.slice(0, 7);
  const prefix = projectPrefix(dirs, root);
  const tree = (await store.readCommit(commit)).tree;

  // A `rendered` branch commit: root hydrator.metadata, or a ref named after the branch whose
  // tree has no rendered/ directory. Otherwise rendered/ in the commit, if there is one.
  let layout: BaseInfo['layout'];
  let entries: Map<string, string>;
  const named = /(^|\/)rendered$/.test(splitRevision(ref).name);
  const provenance = (await store.readTree(tree)).some((e) => e.name === 'hydrator.metadata' && e.mode !== '160000' && !isTreeMode(e.mode));
  const renderedDir = provenance ? undefined : await store.oidAt(tree, prefix ? `${prefix}/rendered` : 'rendered');
  if (provenance || (named && !renderedDir)) {
    layout = 'rendered-branch';
    const atRoot = await regularFiles(store, tree);
    entries = new Map([...atRoot].filter(([path]) => !PROVENANCE_FILES.has(path.slice(path.lastIndexOf('/') + 1))));
  } else if (renderedDir) {
    layout = 'rendered-dir';
    entries = await regularFiles(store, renderedDir);
  } else {
    layout = 'empty';
    entries = new Map();
  }

  const files = new Map<string, string>();
  for (const [path, oid] of entries) {
    const mine = known?.get(path);
    if (mine !== undefined && hashObject('blob', Buffer.from(mine, 'utf8')) === oid) {
      files.set(path, mine);
      continue;
    }
    files.set(path, (await store.read(oid)).content.toString('utf8'));
  }

  const description =
    layout === 'rendered-dir'
      ? `rendered/ at ${ref} (${short})`
      : layout === 'rendered-branch'
        ? `the rendered branch at ${ref} (${short})`
        : `${ref} (${short}), which has no rendered/ (everything counts as added)`;
  return { files, info: { ref, commit, layout, description } };
}

/** path -> blob id of every regular file under the tree `tree` (symbolic links and submodules left out). */
async function regularFiles(store: ObjectStore, tree: string, at = '', out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await store.readTree(tree)) {
    if (isTreeMode(e.mode)) await regularFiles(store, e.oid, `${at}${e.name}/`, out);
    else if (e.mode === '100644' || e.mode === '100755') out.set(at + e.name, e.oid);
  }
  return out;
}
