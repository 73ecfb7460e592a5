/**
 * What a directory tree holds, without reading it: a manifest of every file's blob id (git
 * hash-object) with the file's size, mtime, ctime and inode when the id was taken, and of every
 * directory's listing with its mtime and inode when it was listed. A file whose stat still
 * matches is taken to hold the same bytes; a directory whose stat still matches, to hold the same
 * entries (adding, removing or renaming an entry changes a directory's mtime). Anything else
 * (edited, replaced by a checkout, changed in the last moments before the manifest was saved) is
 * read again, as git's index does. The workspace keeps one for rendered/ and one for the input
 * files, in the cache directory (cache.ts); a missing, unreadable or corrupt one is an empty one.
 * I/O edge.
 */
import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { blobId } from '../core/hash.js';

/** Changed this close (ms) to the manifest's saving, a stat cannot prove a file or directory unchanged. */
const RACY_MS = 50;
/** The "hash" of a symbolic link or other non-file: matches nothing. */
export const NOT_A_FILE = 'not-a-file';

/** [blob id, size, mtimeMs, ctimeMs, ino]. */
type FileEntry = [string, number, number, number, number];
/** [mtimeMs, ctimeMs, ino, entries: name + '/' for a directory, name + '@' for a non-file, name for a file]. */
type DirEntry = [number, number, number, string[]];

interface IndexFile {
  savedAt: number;
  files: Record<string, FileEntry>;
  dirs?: Record<string, DirEntry>;
}

/** What a scan needs of an entry's lstat (node's Stats has it; so has a TreeWalk's record). */
export interface EntryStats {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** One entry on disk, hashed when asked (and only then read, unless the manifest vouches for it). */
export class DiskFile {
  private id: string | undefined;
  constructor(
    readonly path: string,
    readonly full: string,
    readonly stats: EntryStats,
    trusted: string | undefined,
  ) {
    this.id = trusted;
  }
  /** Whether the manifest vouched for it (no read needed), or it is not a file. */
  get known(): boolean {
    return this.id !== undefined;
  }
  hash(): string {
    this.id ??= blobId(readFileSync(this.full, 'utf8'));
    return this.id;
  }
  /** The file's text (read once; its hash, if not vouched for, computed from it). */
  text(): string {
    const text = readFileSync(this.full, 'utf8');
    this.id ??= blobId(text);
    return text;
  }
  /** The hash, if computed already (so the manifest can record it). */
  get hashed(): string | undefined {
    return this.id;
  }
}

/** Whether a scan lists an entry: its name, what it is, and its path from the root. */
export type EntryFilter = (name: string, kind: 'file' | 'dir' | 'other', path: string) => boolean;

export class FileIndex {
  private dirty = false;
  private constructor(
    private readonly files: Map<string, FileEntry>,
    private readonly dirs: Map<string, DirEntry>,
    private savedAt: number,
  ) {}

  static empty(): FileIndex {
    return new FileIndex(new Map(), new Map(), 0);
  }

  /** The index a cache file held (anything: checked here); an empty one when it is unusable. */
  static from(value: unknown): FileIndex {
    const data = value as Partial<IndexFile> | undefined;
    if (!data || typeof data !== 'object' || typeof data.savedAt !== 'number' || typeof data.files !== 'object' || data.files === null) return FileIndex.empty();
    const files = new Map<string, FileEntry>();
    for (const [path, e] of Object.entries(data.files)) {
      if (Array.isArray(e) && e.length === 5 && typeof e[0] === 'string' && e.slice(1).every((n) => typeof n === 'number')) files.set(path, e as FileEntry);
    }
    const dirs = new Map<string, DirEntry>();
    for (const [path, e] of Object.entries(typeof data.dirs === 'object' && data.dirs !== null ? data.dirs : {})) {
      if (Array.isArray(e) && e.length === 4 && e.slice(0, 3).every((n) => typeof n === 'number') && Array.isArray(e[3]) && e[3].every((n) => typeof n === 'string')) dirs.set(path, e as DirEntry);
    }
    return new FileIndex(files, dirs, data.savedAt);
  }

  /**
   * Everything but directories under `root` (path relative to it, with `/`), or under its
   * subdirectories `within` only, that `accept` lets through (default: everything). A symbolic
   * link or other non-file is listed with the hash NOT_A_FILE, which no render produces, so a
   * render replaces or deletes it: rendered/ holds regular files only.
   */
  scan(root: string, within?: readonly string[], accept: EntryFilter = () => true): Map<string, DiskFile> {
    const out = new Map<string, DiskFile>();
    const visited = new Set<string>();
    const stat = (abs: string): EntryStats | undefined => lstatSync(abs, { throwIfNoEntry: false });
    const walk = (abs: string, rel: string, top: boolean) => {
      const stats = stat(abs);
      if (!stats) return;
      if (!stats.isDirectory()) {
        // A scanned directory that is a link or a file: listed as something to replace.
        if (top && rel !== '') out.set(rel, new DiskFile(rel, abs, stats, NOT_A_FILE));
        return;
      }
      visited.add(rel);
      for (const entry of this.listing(abs, rel, stats)) {
        const kind = entry.endsWith('/') ? 'dir' : entry.endsWith('@') ? 'other' : 'file';
        const name = kind === 'file' ? entry : entry.slice(0, -1);
        const path = rel === '' ? name : `${rel}/${name}`;
        if (!accept(name, kind, path)) continue;
        const full = abs + sep + name;
        if (kind === 'dir') {
          walk(full, path, false);
          continue;
        }
        const s = stat(full);
        if (!s) continue;
        out.set(path, new DiskFile(path, full, s, s.isFile() ? this.vouch(path, s) : NOT_A_FILE));
      }
    };
    if (within) for (const sub of within) walk(join(root, sub), sub, true);
    else walk(root, '', true);
    // Forget the listings of directories that are gone.
    const inScope = (path: string) => !within || within.some((w) => path === w || path.startsWith(w + '/'));
    for (const path of [...this.dirs.keys()]) {
      if (inScope(path) && !visited.has(path)) {
        this.dirs.delete(path);
        this.dirty = true;
      }
    }
    return out;
  }

  /** A directory's entries: as recorded while its stat is unchanged, else listed (and recorded). */
  private listing(abs: string, rel: string, s: EntryStats): string[] {
    const e = this.dirs.get(rel);
    if (e && e[0] === s.mtimeMs && e[1] === s.ctimeMs && e[2] === s.ino && this.settled(s)) return e[3];
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return [];
    }
    const names = entries.map((d) => (d.isDirectory() ? `${d.name}/` : d.isFile() ? d.name : `${d.name}@`));
    this.dirs.set(rel, [s.mtimeMs, s.ctimeMs, s.ino, names]);
    this.dirty = true;
    return names;
  }

  private settled(s: EntryStats): boolean {
    return s.ctimeMs < this.savedAt - RACY_MS && s.mtimeMs < this.savedAt - RACY_MS;
  }

  /** The blob id of the file at `path` (relative to the scanned root) if the manifest vouches for it with these stats. */
  known(path: string, s: EntryStats): string | undefined {
    return this.vouch(path, s);
  }

  private vouch(path: string, s: EntryStats): string | undefined {
    const e = this.files.get(path);
    if (!e || e[1] !== s.size || e[2] !== s.mtimeMs || e[3] !== s.ctimeMs || e[4] !== s.ino || !this.settled(s)) return undefined;
    return e[0];
  }

  /** Records a file as it is now on disk, holding `hash`; a file that vanished is forgotten. */
  record(root: string, path: string, hash: string): void {
    try {
      const s = lstatSync(join(root, path));
      this.files.set(path, [hash, s.size, s.mtimeMs, s.ctimeMs, s.ino]);
    } catch {
      this.files.delete(path);
    }
    this.dirty = true;
  }

  /** Records what a scan learnt about a file (its hash, if it was computed). */
  recordScanned(file: DiskFile): void {
    const hash = file.hashed;
    if (hash === undefined || hash === NOT_A_FILE) return;
    const s = file.stats;
    const e = this.files.get(file.path);
    if (e && e[0] === hash && e[1] === s.size && e[2] === s.mtimeMs && e[3] === s.ctimeMs && e[4] === s.ino) return;
    this.files.set(file.path, [hash, s.size, s.mtimeMs, s.ctimeMs, s.ino]);
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.files.delete(path)) this.dirty = true;
  }

  /** Keeps only the files `keep` says yes to. */
  retain(keep: (path: string) => boolean): void {
    for (const path of [...this.files.keys()]) if (!keep(path)) this.forget(path);
  }

  /** Whether anything changed since it was read (then it is worth saving). */
  get changed(): boolean {
    return this.dirty;
  }

  /** The index as its cache file keeps it; `now` is the clock reading the racy rule will compare against. */
  toJSON(now: number): IndexFile {
    this.dirty = false;
    // From here on this index is the one saved at `now`, as if read back.
    this.savedAt = now;
    return { savedAt: now, files: Object.fromEntries(this.files), dirs: Object.fromEntries(this.dirs) };
  }
}
