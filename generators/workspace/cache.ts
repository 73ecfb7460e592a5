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
 * error; deleting the directory is always safe. Its own .gitignore keeps it out of git. I/O edge.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file.js';

export const CACHE_DIR = '.cache/gitops-bridge';
/** The format of every file in the directory; bump it with any change of shape. */
const CACHE_VERSION = 3;
const STAMP = 'cache.json';

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
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(join(this.dir, '.gitignore'))) writeFileSync(join(this.dir, '.gitignore'), '# gitops-bridge render cache (safe to delete)\n*\n');
    // Another version's or other code's files go before the stamp says the directory is ours.
    for (const name of readdirSync(this.dir)) if (name !== '.gitignore') rmSync(join(this.dir, name), { recursive: true, force: true });
    writeJsonFile(join(this.dir, STAMP), { version: CACHE_VERSION, tool: this.toolKey } satisfies Stamp);
    this.stamped = true;
  }
}
