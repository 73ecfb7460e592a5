/**
 * The project's cache directory, .cache/gitops-bridge/: one directory, one format version and
 * one tool key for everything kept between runs. Its stamp (cache.json) names both; a directory
 * stamped by another version or other code is as good as empty, and is emptied before anything
 * is written under the new stamp, so no file made by other code is ever read. The files:
 *
 *   units.json     per unit, its key and its record (engine UnitRecord)
 *   parsed.json    what input texts parsed to, by blob id (load/parse-cache.ts)
 *   rendered.json  the file index of rendered/ (file-index.ts)
 *   sources.json   the file index of the input files
 *   last-run.json  the last run's outcome, under the key of its code, inputs and selection
 *   charts.json    the team's charts compiled, each with the blob ids of its inputs (charts.ts)
 *
 * A missing, unreadable or corrupt file, or data of the wrong shape, is a cache miss, never an
 * error; deleting the cache files is always safe (the lock and a journal of an unfinished write of
 * rendered/ also live here: work-dir.ts). Its own .gitignore keeps it out of git. I/O edge.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { CACHE_DIR, ensureWorkDir } from './work-dir.js';

export { CACHE_DIR };
/** The format of every file in the directory; bump it with any change of shape. */
const CACHE_VERSION = 3;
const STAMP = 'cache.json';
/** What the directory holds that is not the cache's: its .gitignore, the lock, journals, a staged first render. */
const KEEP = /^(\.gitignore|lock(\..*)?|journal-\d+|stage-\d+)$/;

export type CacheFile = 'units' | 'parsed' | 'rendered' | 'sources' | 'last-run' | 'charts';

interface Stamp {
  version: number;
  tool: string;
}

export class ProjectCache {
  readonly dir: string;
  /** Whether the directory holds files of this version and tool key. */
  private readonly current: boolean;
  private stamped: boolean;

  /** @param toolKey the code that reads and writes the files (workspace/code-key.ts) */
  constructor(
    root: string,
    private readonly toolKey: string,
  ) {
    this.dir = join(root, CACHE_DIR);
    const stamp = readJsonFile(join(this.dir, STAMP)) as Partial<Stamp> | undefined;
    this.current = stamp?.version === CACHE_VERSION && stamp.tool === toolKey;
    this.stamped = this.current;
  }

  path(name: CacheFile): string {
    return join(this.dir, `${name}.json`);
  }

  /** Whether the directory is this code's and holds the file. */
  has(name: CacheFile): boolean {
    return this.current && existsSync(this.path(name));
  }

  /** The file's data, if the directory is this code's and the file is readable JSON. */
  read(name: CacheFile): unknown {
    return this.current ? readJsonFile(this.path(name)) : undefined;
  }

  /** Writes a file atomically, stamping the directory first (and emptying it if it was another code's). */
  write(name: CacheFile, data: unknown): void {
    this.stamp();
    writeJsonFile(this.path(name), data);
  }

  private stamp(): void {
    if (this.stamped) return;
    ensureWorkDir(this.dir);
    // Another version's or other code's files go before the stamp says the directory is ours;
    // the lock and the writes of rendered/ in progress (rendered-writer.ts) are not cache files.
    for (const name of readdirSync(this.dir)) if (!KEEP.test(name)) rmSync(join(this.dir, name), { recursive: true, force: true });
    writeJsonFile(join(this.dir, STAMP), { version: CACHE_VERSION, tool: this.toolKey } satisfies Stamp);
    this.stamped = true;
  }
}
