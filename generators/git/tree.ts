/**
 * A directory of files as a git tree, pure: nest flat paths into directories and hash every
 * directory bottom-up, so two trees can be compared directory by directory by their ids.
 */
import { encodeTree, hashObject, type FileMode, type TreeEntry } from './object-format.js';

export interface FileBlob {
  oid: string;
  mode: FileMode;
  /** The bytes, when they may have to be written; absent for blobs known to exist (reused from the parent). */
  content?: Buffer;
}

export interface DirNode {
  files: Map<string, FileBlob>;
  dirs: Map<string, DirNode>;
}

/** A hashed directory: its id, its encoded tree object, and its children, hashed too. */
export interface HashedDir {
  oid: string;
  encoded: Buffer;
  files: Map<string, FileBlob>;
  dirs: Map<string, HashedDir>;
}

export function emptyDir(): DirNode {
  return { files: new Map(), dirs: new Map() };
}

/** Nests `path -> blob` (paths with "/") into directories. A path that is both a file and a directory is an error. */
export function nestFiles(files: Iterable<[string, FileBlob]>): DirNode {
  const root = emptyDir();
  for (const [path, blob] of files) setFile(root, path, blob);
  return root;
}

export function setFile(root: DirNode, path: string, blob: FileBlob): void {
  const parts = path.split('/');
  const name = parts.pop()!;
  let dir = root;
  for (const part of parts) {
    if (dir.files.has(part)) throw new Error(`${path}: "${part}" is both a file and a directory`);
    let next = dir.dirs.get(part);
    if (!next) dir.dirs.set(part, (next = emptyDir()));
    dir = next;
  }
  if (dir.dirs.has(name)) throw new Error(`${path} is both a file and a directory`);
  dir.files.set(name, blob);
}

/** The directory at `path` ("a/b"), or undefined. */
export function dirAt(root: DirNode, path: string): DirNode | undefined {
  let dir: DirNode | undefined = root;
  for (const part of path === '' ? [] : path.split('/')) dir = dir?.dirs.get(part);
  return dir;
}

export function entriesOf(dir: { files: Map<string, FileBlob>; dirs: Map<string, { oid: string }> }): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const [name, f] of dir.files) entries.push({ name, mode: f.mode, oid: f.oid });
  for (const [name, d] of dir.dirs) entries.push({ name, mode: '40000', oid: d.oid });
  return entries;
}

/** Hashes every directory, children first. Empty directories are dropped (git cannot hold them). */
export function hashDir(dir: DirNode): HashedDir {
  const dirs = new Map<string, HashedDir>();
  for (const [name, child] of dir.dirs) {
    const hashed = hashDir(child);
    if (hashed.files.size + hashed.dirs.size > 0) dirs.set(name, hashed);
  }
  const encoded = encodeTree(entriesOf({ files: dir.files, dirs }));
  return { oid: hashObject('tree', encoded), encoded, files: dir.files, dirs };
}

/** The id of a tree holding exactly these entries. */
export function treeOid(entries: readonly TreeEntry[]): string {
  return hashObject('tree', encodeTree(entries));
}

/** Every file of a hashed tree as `path -> oid`, sorted by path. */
export function flatten(dir: HashedDir, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [name, f] of dir.files) out.set(prefix + name, f.oid);
  for (const [name, d] of dir.dirs) flatten(d, `${prefix}${name}/`, out);
  return out;
}
