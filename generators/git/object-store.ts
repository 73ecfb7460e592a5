/**
 * The repository's object database, as gitops-bridge needs it: hash first, write only what is
 * missing (looking in loose objects and pack indexes), and write each loose object atomically
 * (a temporary file renamed into place, as git does), so a process killed at any moment leaves
 * every object either whole or absent. Reads loose objects and packs itself (pack-file.ts);
 * isomorphic-git is the last resort.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { decodeCommit, decodeTree, hashObject, objectBytes, type ObjectType, type ParsedCommit, type TreeEntry } from './object-format.js';
import { PackFile } from './pack-file.js';
import { PackIndex } from './pack-index.js';

export interface StoreStats {
  /** Objects written as new loose objects. */
  written: number;
  /** Objects found already present (loose or packed) and not written. */
  present: number;
}

export class ObjectStore {
  readonly objectsDir: string;
  readonly stats: StoreStats = { written: 0, present: 0 };
  private packs: PackFile[] | undefined;
  private readonly madeDirs = new Set<string>();
  private readonly known = new Set<string>();
  private readonly trees = new Map<string, TreeEntry[]>();
  /** isomorphic-git's cache, shared by its calls (fetch, push, fallback reads) so packs are parsed once. */
  readonly cache: object = {};

  /** `gitdir` holds objects/ (for a linked worktree, the common directory). */
  constructor(readonly gitdir: string) {
    this.objectsDir = join(gitdir, 'objects');
  }

  /** Forgets the pack list, after a fetch added a pack. */
  refresh(): void {
    this.packs = undefined;
  }

  private packFiles(): PackFile[] {
    if (!this.packs) {
      const dir = join(this.objectsDir, 'pack');
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir).filter((n) => n.endsWith('.idx'));
      } catch {
        // no packs
      }
      this.packs = [];
      for (const n of names) {
        // A pack counts only when both halves are there, as for git.
        if (!fs.existsSync(join(dir, n.replace(/\.idx$/, '.pack')))) continue;
        try {
          this.packs.push(new PackFile(PackIndex.read(join(dir, n)), join(dir, n.replace(/\.idx$/, '.pack')), (oid) => this.read(oid)));
        } catch {
          // an index we cannot read: treat its objects as absent (they get written loose)
        }
      }
    }
    return this.packs;
  }

  private loosePath(oid: string): string {
    return join(this.objectsDir, oid.slice(0, 2), oid.slice(2));
  }

  /** Whether the object is in the database, loose or packed. */
  has(oid: string): boolean {
    if (this.known.has(oid)) return true;
    if (this.packFiles().some((p) => p.index.has(oid)) || fs.existsSync(this.loosePath(oid))) {
      this.known.add(oid);
      return true;
    }
    return false;
  }

  /**
   * Writes the object unless it exists; returns its id. `oid`, when given, is the id the
   * caller already computed for these bytes.
   */
  write(type: ObjectType, content: Uint8Array, oid = hashObject(type, content)): string {
    if (this.has(oid)) {
      this.stats.present++;
      return oid;
    }
    const dir = join(this.objectsDir, oid.slice(0, 2));
    if (!this.madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // git's own temporary name: `git fsck` ignores tmp_obj_* and `git gc` prunes old ones.
    const tmp = join(dir, `tmp_obj_${process.pid}_${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(tmp, deflateSync(objectBytes(type, content), { level: 1 }), { flag: 'wx', mode: 0o444 });
    fs.renameSync(tmp, this.loosePath(oid));
    this.known.add(oid);
    this.stats.written++;
    return oid;
  }

  async read(oid: string): Promise<{ type: ObjectType; content: Buffer }> {
    let raw: Buffer | undefined;
    try {
      raw = fs.readFileSync(this.loosePath(oid));
    } catch {
      // not loose: packed
    }
    if (raw) {
      const bytes = inflateSync(raw);
      const sp = bytes.indexOf(0x20);
      const nul = bytes.indexOf(0, sp);
      return { type: bytes.toString('latin1', 0, sp) as ObjectType, content: bytes.subarray(nul + 1) };
    }
    for (const pack of this.packFiles()) {
      const found = await pack.read(oid);
      if (found) return found;
    }
    // Not found by the readers above (e.g. a pack index format they do not know): isomorphic-git.
    const r = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
    return { type: r.type as ObjectType, content: Buffer.from(r.object as Uint8Array) };
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const { type, content } = await this.read(oid);
    if (type !== 'tree') throw new Error(`object ${oid} is a ${type}, not a tree`);
    const entries = decodeTree(content);
    this.trees.set(oid, entries);
    return entries;
  }

  async readCommit(oid: string): Promise<ParsedCommit> {
    const { type, content } = await this.read(oid);
    if (type !== 'commit') throw new Error(`object ${oid} is a ${type}, not a commit`);
    return decodeCommit(content);
  }

  /** The id of the tree at `path` ("a/b") under the tree `root`, or undefined when there is no such directory. */
  async oidAt(root: string, path: string): Promise<string | undefined> {
    let oid = root;
    for (const part of path === '' ? [] : path.split('/')) {
      const e = (await this.readTree(oid)).find((x) => x.name === part && x.mode === '40000');
      if (!e) return undefined;
      oid = e.oid;
    }
    return oid;
  }

  /** Every file under the tree `root` (recursively) as `path -> oid`. */
  async flattenTree(root: string, prefix = '', out = new Map<string, string>()): Promise<Map<string, string>> {
    for (const e of await this.readTree(root)) {
      if (e.mode === '40000') await this.flattenTree(e.oid, `${prefix}${e.name}/`, out);
      else out.set(prefix + e.name, e.oid);
    }
    return out;
  }
}
