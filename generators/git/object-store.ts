/**
 * The repository's object database, as gitops-bridge needs it: hash first, write only what is
 * missing (looking in loose objects and pack indexes), and write each loose object atomically
 * (a temporary file renamed into place, as git does), so a process killed at any moment leaves
 * every object either whole or absent.
 *
 * Reading: loose objects and packs are read here (pack-file.ts, deltas included), and every
 * object read is verified, whichever way it came: its bytes must hash to its id, else the read
 * fails with git-corrupt-object (errors.ts); one that is nowhere is git-object-missing.
 * isomorphic-git is the last resort (a pack index version this reader does not know), and it
 * verifies too (its SHA check for loose objects, the pack checksum for packs).
 *
 * Why not isomorphic-git's readObject for everything (tried, measured with bench/commit.ts at
 * 1000 apps x 3 environments; figures in README, Performance): where a commit reads a handful
 * of objects (one-app commit, provenance cache warm) it cost about 5%, but a commit in a fresh
 * CI clone (parent fetched as a pack, no provenance cache: `--packed --cold`) reads all 3,000
 * app directories, and there the one-app commit took 1.5 to 1.9 times as long, over the 20%
 * the library was allowed. It goes through fs.promises several times per object and inflates
 * with pako: 3,003 packed trees took 2.2 to 2.7 s through it, 0.17 to 0.38 s here, hash
 * checks included.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import { corruptObject, libraryError } from './errors.js';
import { decodeCommit, decodeTree, hashObject, objectBytes, type ObjectType, type ParsedCommit, type TreeEntry } from './object-format.js';
import { PackFile, type RawObject } from './pack-file.js';
import { PackIndex } from './pack-index.js';

const TYPES = new Set<string>(['blob', 'tree', 'commit', 'tag']);

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
  /** isomorphic-git's cache, shared by its calls (fetch, push, ancestry, fallback reads) so packs are parsed once. */
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
        const pack = join(dir, n.replace(/\.idx$/, '.pack'));
        if (!fs.existsSync(pack)) continue;
        try {
          this.packs.push(new PackFile(PackIndex.read(join(dir, n)), pack, (oid) => this.read(oid)));
        } catch {
          // an index we cannot read: treat its objects as absent (they get written loose, and read through isomorphic-git)
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

  /** The object's type and content, verified (see the header); git-object-missing or git-corrupt-object when it cannot be. */
  async read(oid: string): Promise<{ type: ObjectType; content: Buffer }> {
    const found = this.readLoose(oid) ?? (await this.readPacked(oid));
    if (found) {
      if (hashObject(found.type, found.content) !== oid) throw corruptObject(oid, `its bytes hash to ${hashObject(found.type, found.content)}`);
      return found;
    }
    // Not found by the readers above (e.g. a pack index format they do not know): isomorphic-git, which verifies too.
    let r;
    try {
      r = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
    } catch (e) {
      throw libraryError(e, oid);
    }
    const bytes = r.object as Uint8Array;
    return { type: r.type as ObjectType, content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  /** A loose object, unverified; undefined when there is no such file. */
  private readLoose(oid: string): RawObject | undefined {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.loosePath(oid));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new BridgeError({ code: 'io', message: `cannot read object ${oid}: ${(e as Error).message}`, file: this.loosePath(oid) });
    }
    let bytes: Buffer;
    try {
      bytes = inflateSync(raw);
    } catch (e) {
      throw corruptObject(oid, `its file does not inflate (${(e as Error).message})`);
    }
    const sp = bytes.indexOf(0x20);
    const nul = sp < 0 ? -1 : bytes.indexOf(0, sp);
    const type = sp < 0 ? '' : bytes.toString('latin1', 0, sp);
    if (nul < 0 || !TYPES.has(type) || Number(bytes.toString('latin1', sp + 1, nul)) !== bytes.length - nul - 1) {
      throw corruptObject(oid, 'its header is not "<type> <size>"');
    }
    return { type: type as ObjectType, content: bytes.subarray(nul + 1) };
  }

  /** A packed object, unverified; undefined when no pack holds it. */
  private async readPacked(oid: string): Promise<RawObject | undefined> {
    for (const pack of this.packFiles()) {
      if (!pack.index.has(oid)) continue;
      try {
        return await pack.read(oid);
      } catch (e) {
        if (e instanceof BridgeError) throw e; // a REF_DELTA base read through read(): already typed
        throw corruptObject(oid, `its packed form cannot be read (${(e as Error).message})`);
      }
    }
    return undefined;
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
