/**
 * Building the rendered commit: rendered/'s files plus provenance as a tree, written into the
 * object database at a cost proportional to what changed since the parent commit.
 *
 * - Every blob and tree is hashed in memory first (tree.ts); a directory whose id equals the
 *   parent's directory at the same path is not visited at all, and an object is written only
 *   when the database does not hold it already.
 * - An app directory whose manifests did not change keeps the parent's hydrator.metadata and
 *   README.md, so its provenance keeps naming the dry commit that produced its manifests, and
 *   a one-app change touches that app's directory and the root hydrator.metadata only.
 * - "Nothing changed" means: the tree equals the parent's but for the root hydrator.metadata
 *   (a new dry commit that renders the same manifests makes no commit).
 * - Nothing here moves a ref; objects are all written (children first) before the caller does.
 */
import { BridgeError } from '../core/errors.js';
import { encodeCommit, hashObject, isTreeMode, type Signature, type TreeEntry } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import {
  APP_PROVENANCE,
  GITATTRIBUTES,
  GITATTRIBUTES_FILE,
  HUB_DIR,
  METADATA_FILE,
  README_FILE,
  ROOT_PROVENANCE,
  appDirsOf,
  appMetadata,
  appReadme,
  commitMessage,
  renderCommands,
  rootMetadata,
  splitMessage,
  type DryCommit,
} from './provenance.js';
import { dirAt, entriesOf, hashDir, nestFiles, treeOid, type FileBlob, type HashedDir } from './tree.js';

export interface BuildRequest {
  store: ObjectStore;
  /** rendered/'s files, paths relative to rendered/. */
  files: ReadonlyMap<string, FileBlob>;
  dry: DryCommit;
  repoURL: string;
  /** The project's directory inside the repository ("" at the root), for the render commands. */
  projectPrefix: string;
  /** The commit to build on (the branch tip), or undefined for the branch's first commit. */
  parent: string | undefined;
  author: Signature;
  committer: Signature;
}

export interface BuildResult {
  /** The new commit, or undefined when nothing changed against the parent. */
  commit: string | undefined;
  tree: string;
  /** App directories whose manifests are new or changed (they get fresh provenance). */
  changedApps: string[];
  /** App directories of the parent that are gone. */
  removedApps: string[];
  /** Objects written, objects found present, directories reused whole from the parent. */
  written: number;
  present: number;
  reusedDirs: number;
}

export async function readDryCommit(store: ObjectStore, sha: string): Promise<DryCommit> {
  const c = await store.readCommit(sha);
  return { sha, tree: c.tree, author: c.author, committer: c.committer, ...splitMessage(c.message) };
}

function textBlob(text: string): FileBlob {
  const content = Buffer.from(text, 'utf8');
  return { oid: hashObject('blob', content), mode: '100644', content };
}

/** Refuses rendered/ files that would collide with provenance. */
function checkReserved(files: ReadonlyMap<string, FileBlob>, apps: readonly string[]): void {
  const reserved = new Set<string>([...ROOT_PROVENANCE]);
  for (const app of apps) for (const name of APP_PROVENANCE) reserved.add(`${app}/${name}`);
  for (const path of files.keys()) {
    if (reserved.has(path)) {
      throw new BridgeError({
        code: 'file-collision',
        message: `rendered/${path} collides with a provenance file of the rendered branch`,
        file: `rendered/${path}`,
        hint: `${[...ROOT_PROVENANCE].join(' and ')} at the root and ${[...APP_PROVENANCE].join(' and ')} in app directories are written by rendered:commit; remove the file from rendered/`,
      });
    }
  }
}

export async function buildRenderedCommit(req: BuildRequest): Promise<BuildResult> {
  const { store, dry, repoURL } = req;
  const apps = appDirsOf(req.files.keys());
  checkReserved(req.files, apps);
  let root;
  try {
    root = nestFiles(req.files);
  } catch (e) {
    throw new BridgeError({ code: 'io', message: `rendered/ cannot become a git tree: ${(e as Error).message}` });
  }
  const parentTree = req.parent ? (await store.readCommit(req.parent)).tree : undefined;

  const changedApps: string[] = [];
  for (const app of apps) {
    const node = dirAt(root, app)!;
    const manifests = hashDir(node).oid;
    const kept = parentTree ? await parentProvenance(store, parentTree, app, manifests) : undefined;
    if (kept) {
      for (const e of kept) node.files.set(e.name, { oid: e.oid, mode: '100644' });
      continue;
    }
    changedApps.push(app);
    const commands = renderCommands(req.projectPrefix, app);
    node.files.set(METADATA_FILE, textBlob(appMetadata(repoURL, dry.sha, commands)));
    node.files.set(README_FILE, textBlob(appReadme(app, repoURL, dry.sha, commands, req.projectPrefix)));
  }
  root.files.set(GITATTRIBUTES_FILE, textBlob(GITATTRIBUTES));
  root.files.set(METADATA_FILE, textBlob(rootMetadata(dry, repoURL)));
  const tree = hashDir(root);

  const removedApps = parentTree ? (await appDirsOfTree(store, parentTree)).filter((a) => !apps.includes(a)) : [];
  const base = { tree: tree.oid, changedApps, removedApps };
  if (parentTree && (await sameButRootMetadata(store, tree, parentTree))) {
    return { commit: undefined, ...base, written: 0, present: 0, reusedDirs: 0 };
  }

  const before = { ...store.stats };
  const counter = { reusedDirs: 0 };
  await writeMissing(store, tree, parentTree, counter);
  const commit = store.write(
    'commit',
    encodeCommit({ tree: tree.oid, parents: req.parent ? [req.parent] : [], author: req.author, committer: req.committer, message: commitMessage(dry) }),
  );
  return {
    commit,
    ...base,
    written: store.stats.written - before.written,
    present: store.stats.present - before.present,
    reusedDirs: counter.reusedDirs,
  };
}

/**
 * The parent's provenance entries of `app` when its manifests there are exactly `manifests`
 * (the id of the app directory without provenance); undefined when they changed.
 */
async function parentProvenance(store: ObjectStore, parentTree: string, app: string, manifests: string): Promise<TreeEntry[] | undefined> {
  const oid = await store.oidAt(parentTree, app);
  if (!oid) return undefined;
  const entries = await store.readTree(oid);
  const names: readonly string[] = APP_PROVENANCE;
  const prov = entries.filter((e) => names.includes(e.name) && e.mode === '100644');
  if (prov.length !== APP_PROVENANCE.length) return undefined;
  const rest = entries.filter((e) => !prov.includes(e));
  return treeOid(rest) === manifests ? prov : undefined;
}

/** Whether `tree` equals the parent's tree once the root hydrator.metadata is taken from the parent. */
async function sameButRootMetadata(store: ObjectStore, tree: HashedDir, parentTree: string): Promise<boolean> {
  if (tree.oid === parentTree) return true;
  const parentMeta = (await store.readTree(parentTree)).find((e) => e.name === METADATA_FILE && !isTreeMode(e.mode));
  if (!parentMeta) return false;
  const entries = entriesOf(tree).map((e) => (e.name === METADATA_FILE ? { ...e, oid: parentMeta.oid, mode: parentMeta.mode } : e));
  return treeOid(entries) === parentTree;
}

async function appDirsOfTree(store: ObjectStore, tree: string): Promise<string[]> {
  const out: string[] = [];
  for (const env of await store.readTree(tree)) {
    if (!isTreeMode(env.mode) || env.name === HUB_DIR) continue;
    for (const app of await store.readTree(env.oid)) if (isTreeMode(app.mode)) out.push(`${env.name}/${app.name}`);
  }
  return out.sort();
}

/**
 * Writes the objects of `dir` the database lacks, children before parents. A directory equal
 * to the parent's at the same path is skipped whole: the parent commit holds all of it.
 */
async function writeMissing(store: ObjectStore, dir: HashedDir, parentOid: string | undefined, counter: { reusedDirs: number }): Promise<void> {
  if (parentOid === dir.oid) {
    counter.reusedDirs++;
    return;
  }
  const parent = new Map<string, TreeEntry>();
  if (parentOid) for (const e of await store.readTree(parentOid)) parent.set(e.name, e);
  for (const [name, f] of dir.files) {
    if (parent.get(name)?.oid === f.oid) continue;
    if (f.content) store.write('blob', f.content, f.oid);
    else if (!store.has(f.oid)) throw new Error(`blob ${f.oid} (${name}) is missing from the object database`);
  }
  for (const [name, d] of dir.dirs) {
    const p = parent.get(name);
    await writeMissing(store, d, p && isTreeMode(p.mode) ? p.oid : undefined, counter);
  }
  store.write('tree', dir.encoded, dir.oid);
}
