/**
 * What rendered/ holds, without reading it: a manifest of every file's blob id (git hash-object)
 * with the file's size, mtime, ctime and inode when the id was taken. A file whose stat still
 * matches is taken to hold the same bytes; any other file (edited, replaced by a checkout,
 * written in the last moments before the manifest was saved) is read and hashed again. The
 * manifest lives in the cache directory; a missing, unreadable or corrupt one is an empty one.
 * The I/O edge of the incremental render.
 */
import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { blobId } from '../core/hash.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const VERSION = 1;
/** A file changed this close (ms) to the manifest's saving is hashed again: its stat alone cannot prove it unchanged. */
const RACY_MS = 50;

/** The "hash" of a symbolic link or other non-file under rendered/: matches nothing. */
const NOT_A_FILE = 'not-a-file';

/** [blob id, size, mtimeMs, ctimeMs, ino]. */
type Entry = [string, number, number, number, number];

interface ManifestFile {
  version: number;
  savedAt: number;
  files: Record<string, Entry>;
}

/** One file on disk, hashed when asked (and only then read, unless the manifest vouches for it). */
export class DiskFile {
  private id: string | undefined;
  constructor(
    readonly path: string,
    private readonly full: string,
    readonly stats: Stats,
    trusted: string | undefined,
  ) {
    this.id = trusted;
  }
  /** Whether the manifest vouched for the file (no read needed). */
  get known(): boolean {
    return this.id !== undefined;
  }
  hash(): string {
    this.id ??= blobId(readFileSync(this.full, 'utf8'));
    return this.id;
  }
  /** Whether hash() is already computed (so the manifest can record it). */
  get hashed(): string | undefined {
    return this.id;
  }
}

export class RenderedState {
  private constructor(
    private readonly files: Map<string, Entry>,
    private readonly savedAt: number,
  ) {}

  static empty(): RenderedState {
    return new RenderedState(new Map(), 0);
  }

  /** The manifest in `file`; an empty one when it is missing or unusable. */
  static load(file: string): RenderedState {
    const data = readJsonFile(file) as ManifestFile | undefined;
    if (!data || data.version !== VERSION || typeof data.savedAt !== 'number' || typeof data.files !== 'object' || data.files === null) return RenderedState.empty();
    const files = new Map<string, Entry>();
    for (const [path, e] of Object.entries(data.files)) {
      if (Array.isArray(e) && e.length === 5 && typeof e[0] === 'string' && e.slice(1).every((n) => typeof n === 'number')) files.set(path, e as Entry);
    }
    return new RenderedState(files, data.savedAt);
  }

  /**
   * Everything but directories under `dir` (path relative to it, with `/`), or under its
   * subdirectories `within` only. A symbolic link or other non-file is listed with a hash no
   * render produces, so a render replaces or deletes it: rendered/ holds regular files only.
   */
  scan(dir: string, within?: readonly string[]): Map<string, DiskFile> {
    const out = new Map<string, DiskFile>();
    const walk = (abs: string, rel: string) => {
      let entries: Dirent[];
      try {
        entries = readdirSync(abs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(abs, e.name);
        const path = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) walk(full, path);
        else {
          let stats: Stats;
          try {
            stats = lstatSync(full);
          } catch {
            continue;
          }
          out.set(path, new DiskFile(path, full, stats, e.isFile() ? this.vouch(path, stats) : NOT_A_FILE));
        }
      }
    };
    if (within) for (const sub of within) walk(join(dir, sub), sub);
    else walk(dir, '');
    return out;
  }

  private vouch(path: string, s: Stats): string | undefined {
    const e = this.files.get(path);
    if (!e || e[1] !== s.size || e[2] !== s.mtimeMs || e[3] !== s.ctimeMs || e[4] !== s.ino) return undefined;
    if (s.ctimeMs >= this.savedAt - RACY_MS || s.mtimeMs >= this.savedAt - RACY_MS) return undefined;
    return e[0];
  }

  /** Records a file as it is now on disk, holding `hash`; a file that vanished is forgotten. */
  record(dir: string, path: string, hash: string): void {
    try {
      const s = lstatSync(join(dir, path));
      this.files.set(path, [hash, s.size, s.mtimeMs, s.ctimeMs, s.ino]);
    } catch {
      this.files.delete(path);
    }
  }

  /** Records a file whose stats were just taken (a scan). */
  recordScanned(file: DiskFile): void {
    const hash = file.hashed;
    if (hash === undefined || hash === NOT_A_FILE) return;
    const s = file.stats;
    this.files.set(file.path, [hash, s.size, s.mtimeMs, s.ctimeMs, s.ino]);
  }

  forget(path: string): void {
    this.files.delete(path);
  }

  /** Keeps only the paths `keep` says yes to. */
  retain(keep: (path: string) => boolean): void {
    for (const path of [...this.files.keys()]) if (!keep(path)) this.files.delete(path);
  }

  /** Writes the manifest (atomically); `now` is the clock reading the racy rule compares against. */
  save(file: string, now: number): void {
    const files: Record<string, Entry> = {};
    for (const [path, e] of this.files) files[path] = e;
    writeJsonFile(file, { version: VERSION, savedAt: now, files } satisfies ManifestFile);
  }
}
