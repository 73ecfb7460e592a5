/**
 * Which provenance blobs (hydrator.metadata, README.md) the app directories of the last rendered
 * commit built here hold, keyed by the app directory's tree id, so the next commit need not read
 * every app directory of its parent to find out.
 *
 * A hint, never trusted: an entry only proposes provenance for an app directory of the parent,
 * and it is taken only when the app's current manifests plus the proposed provenance hash to
 * exactly that directory's tree id (commit.ts), which is what reading the tree would have
 * found. A stale, foreign, truncated or corrupt file can therefore cost a read, never a wrong
 * tree. Kept in the repository's common directory (gitops-bridge/provenance-cache), written
 * atomically (a temporary file renamed into place); a missing or unreadable one is empty.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = Buffer.from('gitops-bridge provenance-cache 1\n', 'latin1');
/** Per entry: the app directory's tree id, then its hydrator.metadata and README.md blob ids, 20 bytes each. */
const RECORD = 60;

export interface AppProvenance {
  metadata: string;
  readme: string;
}

export class ProvenanceCache {
  private readonly entries = new Map<string, AppProvenance>();
  private changed = false;

  private constructor(readonly file: string | undefined) {}

  /** An empty cache that is never saved. */
  static none(): ProvenanceCache {
    return new ProvenanceCache(undefined);
  }

  /** The cache of the repository whose common directory is `commondir`. */
  static load(commondir: string): ProvenanceCache {
    const cache = new ProvenanceCache(join(commondir, 'gitops-bridge', 'provenance-cache'));
    let buf: Buffer;
    try {
      buf = readFileSync(cache.file!);
    } catch {
      return cache;
    }
    if (buf.length < HEADER.length || !buf.subarray(0, HEADER.length).equals(HEADER) || (buf.length - HEADER.length) % RECORD !== 0) return cache;
    for (let at = HEADER.length; at < buf.length; at += RECORD) {
      cache.entries.set(buf.toString('hex', at, at + 20), { metadata: buf.toString('hex', at + 20, at + 40), readme: buf.toString('hex', at + 40, at + 60) });
    }
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The provenance the app directory `tree` was recorded with, if any (a proposal to check). */
  get(tree: string): AppProvenance | undefined {
    return this.entries.get(tree);
  }

  /**
   * Replaces the entries with `apps` (the app directories of the tree just built). Unchanged
   * when they are exactly the entries held, so a run that changed nothing writes nothing.
   */
  replace(apps: ReadonlyMap<string, AppProvenance>): void {
    let same = apps.size === this.entries.size;
    if (same) {
      for (const [tree, p] of apps) {
        const e = this.entries.get(tree);
        if (!e || e.metadata !== p.metadata || e.readme !== p.readme) {
          same = false;
          break;
        }
      }
    }
    if (same) return;
    this.entries.clear();
    for (const [tree, p] of apps) this.entries.set(tree, p);
    this.changed = true;
  }

  /** Writes the entries if they changed since loading: a temporary file renamed into place. */
  save(): void {
    if (!this.changed || !this.file) return;
    const buf = Buffer.allocUnsafe(HEADER.length + this.entries.size * RECORD);
    HEADER.copy(buf, 0);
    let at = HEADER.length;
    for (const [tree, p] of this.entries) {
      buf.write(tree, at, 'hex');
      buf.write(p.metadata, at + 20, 'hex');
      buf.write(p.readme, at + 40, 'hex');
      at += RECORD;
    }
    const dir = join(this.file, '..');
    mkdirSync(dir, { recursive: true });
    // One temporary name per process: a run killed mid-write leaves at most this file behind,
    // and a later process with the same id overwrites it.
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, buf);
      renameSync(tmp, this.file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    this.changed = false;
  }
}
