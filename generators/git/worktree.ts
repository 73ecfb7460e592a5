/**
 * The working tree side: a directory read into blobs (hashed, not yet written), and the
 * question "does this directory differ from the commit?" answered by comparing blob ids with
 * the commit's tree, without git's index.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { hashObject, isTreeMode } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import type { GitDirs } from './refs.js';
import { emptyDir, hashDir, nestFiles, type DirNode, type FileBlob, type HashedDir } from './tree.js';

/**
 * A file's blob id known without reading it (render keeps a manifest of rendered/'s blob ids with
 * the stats they were taken at, see workspace/file-index.ts); undefined when unknown.
 */
export type KnownBlob = (path: string, stats: fs.Stats) => string | undefined;

/**
 * Every regular file under `dir` as `relative path -> blob` (content kept, id computed).
 * Missing directory: an empty map. A symbolic link is an error: rendered/ holds plain files.
 * With `known`, a file whose id it knows is not read: its content is read if a commit needs
 * to write it, and checked against the id then.
 */
export function scanDir(dir: string, known?: KnownBlob): Map<string, FileBlob> {
  const out = new Map<string, FileBlob>();
  const flat = (node: DirNode, prefix: string) => {
    for (const [name, f] of node.files) out.set(prefix + name, f);
    for (const [name, d] of node.dirs) flat(d, `${prefix}${name}/`);
  };
  flat(scanTree(dir, known), '');
  return out;
}

/**
 * scanDir's files, nested into directories as they are on disk (see tree.ts), without going
 * through flat paths: what a commit hashes. A directory without files is kept as an empty
 * node (hashDir drops it). With `idsOnly`, files read are not kept, only hashed: for a
 * directory that is compared, never written.
 */
export function scanTree(dir: string, known?: KnownBlob, idsOnly = false): DirNode {
  const walk = (abs: string, rel: string): DirNode => {
    const node = emptyDir();
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return node;
      throw e;
    }
    for (const e of entries) {
      const name = e.name;
      const full = `${abs}/${name}`;
      if (e.isDirectory()) node.dirs.set(name, walk(full, `${rel}${name}/`));
      else if (e.isFile()) {
        const oid = known?.(rel + name, fs.lstatSync(full));
        if (oid !== undefined) node.files.set(name, new LazyBlob(abs, name, oid));
        else {
          const content = readSmallFile(full, idsOnly);
          node.files.set(name, idsOnly ? { oid: hashObject('blob', content), mode: '100644' } : { oid: hashObject('blob', content), mode: '100644', content });
        }
      } else if (e.isSymbolicLink()) {
        throw new BridgeError({ code: 'io', message: `${join(dir, rel + name)} is a symbolic link`, file: join(dir, rel + name), hint: 'rendered/ holds only regular files: run `npm run render` to rewrite it' });
      }
    }
    return node;
  };
  return walk(join(dir), '');
}

/**
 * What to commit as rendered/, as plain data (the render's request to the committer, as Argo
 * CD's hydrator hands its commit server paths and manifests): every file's blob id, and how to
 * read a file's bytes, only done for a blob the repository does not have yet.
 */
export interface RenderedFiles {
  /** Path under rendered/ -> blob id. */
  files: ReadonlyMap<string, string>;
  read(path: string): Buffer;
}

/** The request's files nested into directories, each read only if a commit needs to write it (and checked against its id then). */
export function requestedTree(request: RenderedFiles): DirNode {
  return nestFiles([...request.files].map(([path, oid]): [string, FileBlob] => [path, new RequestedBlob(request, path, oid)]));
}

class RequestedBlob implements FileBlob {
  readonly mode = '100644';
  private bytes: Buffer | undefined;
  constructor(
    private readonly request: RenderedFiles,
    private readonly path: string,
    readonly oid: string,
  ) {}
  get content(): Buffer {
    if (this.bytes === undefined) {
      const content = this.request.read(this.path);
      if (hashObject('blob', content) !== this.oid) {
        throw new BridgeError({ code: 'io', message: `rendered/${this.path} changed while it was being committed`, file: `rendered/${this.path}`, hint: 'run the command again once nothing writes rendered/' });
      }
      this.bytes = content;
    }
    return this.bytes;
  }
}

/**
 * A blob whose content is read when first asked for, and must then still have the id it was
 * known by. Holds its directory and name apart: tens of thousands of them stay alive through a
 * commit, and their full paths are rarely needed.
 */
class LazyBlob implements FileBlob {
  readonly mode = '100644';
  private bytes: Buffer | undefined;
  constructor(
    private readonly dir: string,
    private readonly name: string,
    readonly oid: string,
  ) {}
  get content(): Buffer {
    if (this.bytes === undefined) {
      const file = `${this.dir}/${this.name}`;
      const content = readSmallFile(file);
      if (hashObject('blob', content) !== this.oid) {
        throw new BridgeError({ code: 'io', message: `${file} changed while it was being committed`, file, hint: 'run the command again once nothing writes rendered/' });
      }
      this.bytes = content;
    }
    return this.bytes;
  }
}

const scratch = Buffer.allocUnsafe(1 << 20);

/**
 * A file's bytes: one read into a shared buffer, then a copy (about twice as fast as readFileSync
 * for small files). `transient`: no copy, the bytes are only valid until the next call.
 */
function readSmallFile(file: string, transient = false): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, scratch, 0, scratch.length, 0);
    if (n < scratch.length) return transient ? scratch.subarray(0, n) : Buffer.from(scratch.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file);
}

export interface WorktreeChange {
  /** Path relative to the project root. */
  path: string;
  kind: 'modified' | 'untracked' | 'deleted';
}

/**
 * How the directories `dirs` (relative to the project) differ between the working tree and the
 * commit tree `tree`. Untracked files that .gitignore ignores do not count; file modes are not
 * compared. `scanned` supplies directories already read and hashed (rendered/), so they are read once.
 * The comparison goes by tree ids: a directory whose id matches the commit's is not opened, so
 * a clean tree costs a handful of object reads, whatever its size.
 */
export async function uncommittedChanges(
  store: ObjectStore,
  repo: GitDirs,
  tree: string,
  prefix: string,
  dirs: readonly string[],
  projectRoot: string,
  scanned: ReadonlyMap<string, HashedDir> = new Map(),
): Promise<WorktreeChange[]> {
  const changes: WorktreeChange[] = [];
  for (const dir of dirs) {
    const inRepo = prefix ? `${prefix}/${dir}` : dir;
    const committed = await store.oidAt(tree, inRepo);
    const working = scanned.get(dir) ?? hashDir(scanTree(join(projectRoot, dir), undefined, true));
    const found: WorktreeChange[] = [];
    await diffDir(store, working, committed, `${dir}/`, found);
    for (const c of found) {
      const ignored = c.kind === 'untracked' && (await git.isIgnored({ fs, dir: repo.worktree, gitdir: repo.gitdir, filepath: (prefix ? `${prefix}/` : '') + c.path }));
      if (!ignored) changes.push(c);
    }
  }
  return changes.sort((a, b) => compareStrings(a.path, b.path));
}

async function diffDir(store: ObjectStore, working: HashedDir, committed: string | undefined, at: string, out: WorktreeChange[]): Promise<void> {
  if (working.oid === committed) return;
  const entries = committed ? await store.readTree(committed) : [];
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [name, f] of working.files) {
    const c = byName.get(name);
    if (c && !isTreeMode(c.mode)) {
      if (c.oid !== f.oid) out.push({ path: at + name, kind: 'modified' });
      continue;
    }
    out.push({ path: at + name, kind: 'untracked' });
    if (c) await deleted(store, c.oid, `${at}${name}/`, out);
  }
  for (const [name, d] of working.dirs) {
    const c = byName.get(name);
    await diffDir(store, d, c && isTreeMode(c.mode) ? c.oid : undefined, `${at}${name}/`, out);
    if (c && !isTreeMode(c.mode)) out.push({ path: at + name, kind: 'deleted' });
  }
  for (const e of entries) {
    if (working.files.has(e.name) || working.dirs.has(e.name)) continue;
    if (isTreeMode(e.mode)) await deleted(store, e.oid, `${at}${e.name}/`, out);
    else out.push({ path: at + e.name, kind: 'deleted' });
  }
}

async function deleted(store: ObjectStore, tree: string, at: string, out: WorktreeChange[]): Promise<void> {
  for (const path of (await store.flattenTree(tree)).keys()) out.push({ path: at + path, kind: 'deleted' });
}
