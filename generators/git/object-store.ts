/**
 * The repository's object database, as gitops-bridge needs it.
 *
 * Reading goes through isomorphic-git (readObject, with one `cache` per store shared with fetch
 * and push, so each pack index is parsed and each pack's checksum verified once): one reader
 * for loose objects, packs and deltas, and every object read is verified. A loose object must
 * hash to its id (isomorphic-git's SHA check); a packed one comes from a pack whose SHA-1
 * trailer matched its bytes. What fails becomes a typed error (errors.ts): git-object-missing,
 * git-corrupt-object. Measured with bench/commit.ts at 1000 apps x 3 environments (README,
 * Performance): the library reader made the one-app commit no slower beyond noise, so the
 * hand-written pack reader this store had is gone.
 *
 * Writing stays here, because it is where the time went: hash first and write only what is
 * missing (isomorphic-git's writeBlob compresses before looking), each loose object written
 * atomically (a temporary file renamed into place, as git does), so a process killed at any
 * moment leaves every object either whole or absent. "Missing" is has(): a loose file, or an id
 * in a pack index (pack-index.ts, a binary search over the .idx). has() is synchronous and
 * asked once per object of a first commit (30,000 times at 1000 x 3); isomorphic-git has no
 * existence check (readObject would inflate and un-delta every object to say it is there).
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { corruptObject, libraryError } from './errors.js';
import { decodeCommit, decodeTree, hashObject, objectBytes, type ObjectType, type ParsedCommit, type TreeEntry } from './object-format.js';
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
  private packs: PackIndex[] | undefined;
  private readonly madeDirs = new Set<string>();
  private readonly known = new Set<string>();
  private readonly trees = new Map<string, TreeEntry[]>();
  /** isomorphic-git's cache, shared by its calls (reads, fetch, push) so packs are loaded and verified once. */
  readonly cache: object = {};

  /** `gitdir` holds objects/ (for a linked worktree, the common directory). */
  constructor(readonly gitdir: string) {
    this.objectsDir = join(gitdir, 'objects');
  }

  /** Forgets the pack list, after a fetch added a pack. */
  refresh(): void {
    this.packs = undefined;
  }

  private packIndexes(): PackIndex[] {
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
          this.packs.push(PackIndex.read(join(dir, n)));
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
    if (this.packIndexes().some((p) => p.has(oid)) || fs.existsSync(this.loosePath(oid))) {
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

  /** The object's type and content, verified (see the header); git-object-missing or git-corrupt-object when it cannot be. */
  async read(oid: string): Promise<{ type: ObjectType; content: Buffer }> {
    let r;
    try {
      r = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
    } catch (e) {
      throw libraryError(e, oid);
    }
    const bytes = r.object as Uint8Array;
    return { type: r.type as ObjectType, content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  /** Reads `oid`, which must be of type `type`, and decodes it; anything else is git-corrupt-object. */
  private async readAs<T>(oid: string, type: ObjectType, decode: (content: Buffer) => T): Promise<T> {
    const r = await this.read(oid);
    if (r.type !== type) throw corruptObject(oid, `it is a ${r.type} where a ${type} was expected`);
    try {
      return decode(r.content);
    } catch (e) {
      throw corruptObject(oid, (e as Error).message);
    }
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const entries = await this.readAs(oid, 'tree', decodeTree);
    this.trees.set(oid, entries);
    return entries;
  }

  async readCommit(oid: string): Promise<ParsedCommit> {
    return this.readAs(oid, 'commit', decodeCommit);
  }

  /** The object an annotated tag points at. */
  async readTagTarget(oid: string): Promise<string> {
    return this.readAs(oid, 'tag', (content) => {
      const m = /^object ([0-9a-f]{40})$/m.exec(content.toString('latin1', 0, Math.min(content.length, 256)));
      if (!m) throw new Error('a tag without an object line');
      return m[1]!;
    });
  }

  /**
   * Whether `ancestor` is `oid` or one of its ancestors (isomorphic-git's isDescendent, which
   * stops at the boundary of a shallow clone). A commit missing from the history walked ends
   * the walk with "no": nothing is taken for an ancestor that cannot be shown to be one.
   */
  async isAncestor(ancestor: string, oid: string): Promise<boolean> {
    if (ancestor === oid) return true;
    try {
      return await git.isDescendent({ fs, gitdir: this.gitdir, oid, ancestor, depth: -1, cache: this.cache });
    } catch (e) {
      if ((e as { code?: string }).code === 'NotFoundError') return false;
      throw libraryError(e, oid);
    }
  }

  /** The full id of the object whose id starts with `prefix` (4 to 40 hex digits); undefined when none or several match. */
  async expand(prefix: string): Promise<string | undefined> {
    try {
      return await git.expandOid({ fs, gitdir: this.gitdir, oid: prefix.toLowerCase(), cache: this.cache });
    } catch {
      return undefined;
    }
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
