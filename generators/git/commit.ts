/**
 * Building the rendered commit: rendered/'s files plus provenance as a tree, written into the
 * object database at a cost proportional to what changed since the parent commit.
 *
 * - Every blob and tree is hashed in memory first (tree.ts); a directory whose id equals the
 *   parent's directory at the same path is not visited at all, and an object is written only
 *   when the database does not hold it already.
 * - An app directory whose manifests did not change keeps the parent's hydrator.metadata and
 *   README.md, so its provenance keeps naming the dry commit that produced its manifests, and
 *   a one-app change touches that app's directory and the root hydrator.metadata only. Which
 *   provenance the parent's app directory holds comes from the provenance cache when it can be
 *   confirmed by hashing (the app's manifests plus that provenance give the parent's directory
 *   id exactly), else from reading the directory: at 3,000 apps, reading them all was a large
 *   part of a one-app commit.
 * - "Nothing changed" means: the tree equals the parent's but for the root hydrator.metadata
 *   (a new dry commit that renders the same manifests makes no commit).
 * - Nothing here moves a ref; objects are all written (children first) before the caller does.
 */
import { BridgeError } from '../core/errors.js';
import { objectMissing } from './errors.js';
import { encodeCommit, encodeTree, hashObject, isTreeMode, type Signature, type TreeEntry } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import {
  APP_PROVENANCE,
  GITATTRIBUTES,
  GITATTRIBUTES_FILE,
  HUB_DIR,
  METADATA_FILE,
  README_FILE,
  ROOT_PROVENANCE,
  appMetadata,
  appReadme,
  commitMessage,
  renderCommands,
  rootMetadata,
  splitMessage,
  type DryCommit,
} from './provenance.js';
import { ProvenanceCache, type AppProvenance } from './provenance-cache.js';
import type { AppPlacement } from './layout.js';
import { entriesOf, hashDir, nestFiles, treeOid, type FileBlob, type HashedDir } from './tree.js';

export interface BuildRequest {
  store: ObjectStore;
  /** The branch's files (rendered/'s, paths relative to rendered/); or, instead, `rendered`. */
  files?: ReadonlyMap<string, FileBlob>;
  /** The branch's content already nested and hashed (hashDir), instead of `files`. Not modified. */
  rendered?: HashedDir;
  dry: DryCommit;
  repoURL: string;
  /** The project's directory inside the repository ("" at the root), for the render commands. */
  projectPrefix: string;
  /** The commit to build on (the branch tip), or undefined for the branch's first commit. */
  parent: string | undefined;
  author: Signature;
  committer: Signature;
  /** Proposals for the parent's app provenance (each checked by hashing); the caller records `BuildResult.provenance` in it. */
  provenance?: ProvenanceCache;
  /** Where the app directories are (default: `<env>/<app>`, the single `rendered` branch). */
  apps?: AppPlacement;
}

export interface BuildResult {
  /** The new commit, or undefined when nothing changed against the parent. */
  commit: string | undefined;
  tree: string;
  /** App directories whose manifests are new or changed (they get fresh provenance), as rendered/ paths `<env>/<app>`. */
  changedApps: string[];
  /** App directories of the parent that are gone. */
  removedApps: string[];
  /** The provenance blobs of every app directory of the tree built, by the directory's tree id (for the provenance cache). */
  provenance: Map<string, AppProvenance>;
  /** Objects written, objects found present, directories reused whole from the parent. */
  written: number;
  present: number;
  reusedDirs: number;
}

export async function readDryCommit(store: ObjectStore, sha: string): Promise<DryCommit> {
  const c = await store.readCommit(sha);
  return { sha, tree: c.tree, author: c.author, committer: c.committer, ...splitMessage(c.message), message: c.message };
}

function textBlob(text: string): FileBlob {
  const content = Buffer.from(text, 'utf8');
  return { oid: hashObject('blob', content), mode: '100644', content };
}

function reservedCollision(path: string): BridgeError {
  return new BridgeError({
    code: 'file-collision',
    message: `rendered/${path} collides with a provenance file of the rendered branch`,
    file: `rendered/${path}`,
    hint: `${[...ROOT_PROVENANCE].join(' and ')} at the root and ${[...APP_PROVENANCE].join(' and ')} in app directories are written by rendered:commit; remove the file from rendered/`,
  });
}

/** A directory's hashed form with `files` and `dirs` as its entries. */
function hashedDir(files: Map<string, FileBlob>, dirs: Map<string, HashedDir>): HashedDir {
  const encoded = encodeTree(entriesOf({ files, dirs }));
  return { oid: hashObject('tree', encoded), encoded, files, dirs };
}

/** An app directory: its manifests (as rendered/ holds them) plus its two provenance files. */
function withProvenance(manifests: HashedDir, metadata: FileBlob, readme: FileBlob): HashedDir {
  const files = new Map(manifests.files);
  files.set(METADATA_FILE, metadata);
  files.set(README_FILE, readme);
  return hashedDir(files, manifests.dirs);
}

interface AppDir {
  /** Its path on the branch: `<env>/<app>`, or `<app>` at an environment branch's root. */
  path: string;
  /** Its path under rendered/ (`<env>/<app>`), which its provenance and the reports name. */
  renderedPath: string;
  manifests: HashedDir;
}

/** The app directories of a branch's content, sorted by path. */
function appDirsOf(content: HashedDir, placement: AppPlacement): AppDir[] {
  const apps: AppDir[] = [];
  if (placement.at === 'environments') {
    for (const [env, envDir] of content.dirs) {
      if (env === HUB_DIR) continue;
      for (const [name, manifests] of envDir.dirs) apps.push({ path: `${env}/${name}`, renderedPath: `${env}/${name}`, manifests });
    }
  } else if (placement.at === 'root') {
    for (const [name, manifests] of content.dirs) apps.push({ path: name, renderedPath: `${placement.environment}/${name}`, manifests });
  }
  return apps.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `dir` with the directories at the given paths (one or two levels down) replaced. */
function replaceDirs(dir: HashedDir, replaced: ReadonlyMap<string, HashedDir>, prefix = ''): HashedDir {
  const dirs = new Map<string, HashedDir>();
  let changed = false;
  for (const [name, child] of dir.dirs) {
    const path = prefix + name;
    const next = replaced.get(path) ?? (prefix === '' && [...replaced.keys()].some((p) => p.startsWith(`${path}/`)) ? replaceDirs(child, replaced, `${path}/`) : child);
    if (next !== child) changed = true;
    dirs.set(name, next);
  }
  return changed ? hashedDir(dir.files, dirs) : dir;
}

export async function buildRenderedCommit(req: BuildRequest): Promise<BuildResult> {
  const { store, dry, repoURL } = req;
  let rendered = req.rendered;
  if (!rendered) {
    let nested;
    try {
      nested = nestFiles(req.files ?? new Map());
    } catch (e) {
      throw new BridgeError({ code: 'io', message: `rendered/ cannot become a git tree: ${(e as Error).message}` });
    }
    rendered = hashDir(nested);
  }
  const placement = req.apps ?? { at: 'environments' };
  // rendered/ files must not take the names of provenance files.
  const at = placement.at === 'root' ? `${placement.environment}/` : '';
  for (const name of ROOT_PROVENANCE) if (rendered.files.has(name)) throw reservedCollision(`${at}${name}`);
  const apps = appDirsOf(rendered, placement);
  for (const app of apps) for (const reserved of APP_PROVENANCE) if (app.manifests.files.has(reserved)) throw reservedCollision(`${app.renderedPath}/${reserved}`);

  const parentTree = req.parent ? (await store.readCommit(req.parent)).tree : undefined;
  const parentApps = parentTree ? await appDirsOfTree(store, parentTree, placement) : new Map<string, string>();
  const cache = req.provenance ?? ProvenanceCache.none();

  // Each app directory keeps the parent's provenance when its manifests did not change: the
  // cache proposes the parent's provenance and hashing confirms it (the directory comes out
  // exactly as the parent's), else the parent's directory is read to find out.
  const changedApps: string[] = [];
  const builtApps = new Map<string, HashedDir>();
  const recorded = new Map<string, AppProvenance>();
  for (const app of apps) {
    const before = parentApps.get(app.path);
    let dir: HashedDir | undefined;
    if (before) {
      const proposed = cache.get(before);
      if (proposed) {
        const d = withProvenance(app.manifests, { oid: proposed.metadata, mode: '100644' }, { oid: proposed.readme, mode: '100644' });
        if (d.oid === before) dir = d;
      }
      if (!dir) {
        const kept = await parentProvenance(store, before, app.manifests.oid);
        if (kept) dir = withProvenance(app.manifests, kept.metadata, kept.readme);
      }
    }
    if (!dir) {
      changedApps.push(app.renderedPath);
      const commands = renderCommands(req.projectPrefix, app.renderedPath);
      dir = withProvenance(
        app.manifests,
        textBlob(appMetadata(repoURL, dry.sha, commands)),
        textBlob(appReadme(app.renderedPath, repoURL, dry.sha, commands, req.projectPrefix)),
      );
    }
    builtApps.set(app.path, dir);
    recorded.set(dir.oid, { metadata: dir.files.get(METADATA_FILE)!.oid, readme: dir.files.get(README_FILE)!.oid });
  }
  const content = replaceDirs(rendered, builtApps);
  const rootFiles = new Map(content.files);
  rootFiles.set(GITATTRIBUTES_FILE, textBlob(GITATTRIBUTES));
  rootFiles.set(METADATA_FILE, textBlob(rootMetadata(dry, repoURL)));
  const tree = hashedDir(rootFiles, content.dirs);

  const appPaths = new Set(apps.map((a) => a.path));
  const prefix = placement.at === 'root' ? `${placement.environment}/` : '';
  const removedApps = [...parentApps.keys()].filter((a) => !appPaths.has(a)).map((a) => prefix + a).sort();
  const base = { tree: tree.oid, changedApps, removedApps, provenance: recorded };
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
 * The parent's provenance of the app directory `tree` when its manifests there are exactly
 * `manifests` (the id of the app directory without provenance); undefined when they changed.
 */
async function parentProvenance(store: ObjectStore, tree: string, manifests: string): Promise<{ metadata: FileBlob; readme: FileBlob } | undefined> {
  const entries = await store.readTree(tree);
  const names: readonly string[] = APP_PROVENANCE;
  const prov = entries.filter((e) => names.includes(e.name) && e.mode === '100644');
  if (prov.length !== APP_PROVENANCE.length) return undefined;
  const rest = entries.filter((e) => !prov.includes(e));
  if (treeOid(rest) !== manifests) return undefined;
  const blob = (name: string): FileBlob => ({ oid: prov.find((e) => e.name === name)!.oid, mode: '100644' });
  return { metadata: blob(METADATA_FILE), readme: blob(README_FILE) };
}

/** Whether `tree` equals the parent's tree once the root hydrator.metadata is taken from the parent. */
async function sameButRootMetadata(store: ObjectStore, tree: HashedDir, parentTree: string): Promise<boolean> {
  if (tree.oid === parentTree) return true;
  const parentMeta = (await store.readTree(parentTree)).find((e) => e.name === METADATA_FILE && !isTreeMode(e.mode));
  if (!parentMeta) return false;
  const entries = entriesOf(tree).map((e) => (e.name === METADATA_FILE ? { ...e, oid: parentMeta.oid, mode: parentMeta.mode } : e));
  return treeOid(entries) === parentTree;
}

/** The parent's app directories (placed as `placement` says) and their tree ids. */
async function appDirsOfTree(store: ObjectStore, tree: string, placement: AppPlacement): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (placement.at === 'none') return out;
  for (const top of await store.readTree(tree)) {
    if (!isTreeMode(top.mode)) continue;
    if (placement.at === 'root') out.set(top.name, top.oid);
    else if (top.name !== HUB_DIR) for (const app of await store.readTree(top.oid)) if (isTreeMode(app.mode)) out.set(`${top.name}/${app.name}`, app.oid);
  }
  return out;
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
    else if (!store.has(f.oid)) throw objectMissing(f.oid, `the blob of ${name},`);
  }
  for (const [name, d] of dir.dirs) {
    const p = parent.get(name);
    await writeMissing(store, d, p && isTreeMode(p.mode) ? p.oid : undefined, counter);
  }
  store.write('tree', dir.encoded, dir.oid);
}
