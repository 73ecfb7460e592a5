/**
 * The workspace: the one module that touches the project's disk for a render. It finds the
 * project, takes stat-vouched snapshots of the input files and of rendered/ (file-index.ts: a
 * file whose stat is unchanged is not read again), keeps the cache directory (cache.ts: units,
 * parsed inputs, the two file indexes, the last run), and changes rendered/ through the journaled
 * writer (rendered-writer.ts) or, for a first render, the staged tree (stage.ts). The engine and
 * everything it calls import no `fs`; the application layer (generators/app/) hands the engine
 * what the workspace read and the workspace what the engine made.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CheckReport } from '../check/check.js';
import { BridgeError } from '../core/errors.js';
import { blobId, digestOf } from '../core/hash.js';
import { compareStrings } from '../core/strings.js';
import { ownedBy, type FileChanges } from '../engine/changes.js';
import type { RenderSummary, UnitRecord } from '../engine/engine.js';
import { ParseCache, type ParseCacheEntries } from '../load/parse-cache.js';
import { INPUT_DIRS, acceptInput, readSources, refuseLargeInput, type SourceSet } from './inputs.js';
import { ProjectCache } from './cache.js';
import { ChartCache } from './charts.js';
import { toolKey } from './code-key.js';
import { FileIndex, NOT_A_FILE, type DiskFile } from './file-index.js';
import { inside, recoverRendered, stagePath, writeRendered } from './rendered-writer.js';
import { Stage } from './stage.js';
import { acquireLock, type LockOptions, type Release } from './lock.js';
import { workDirOf } from './work-dir.js';
import { DiskUnitCache } from './unit-cache.js';

/** The wall clock the file indexes' racy rule compares against (tests pass their own). */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** The input files as a scan found them: path -> entry (hashed, and read, only when asked). */
export interface InputScan {
  files: Map<string, DiskFile>;
  /** Whether every input is a plain file (a symbolic link cannot be vouched for by its stat). */
  plain: boolean;
}

/** A run's outcome as last-run.json keeps it, to be reused while code, inputs and selection are the same. */
export interface LastRun {
  summary: RenderSummary;
  /** digestOfFiles of what it rendered. */
  digest: string;
  check: CheckReport;
}

/** What a run read from the cache and may write back (Workspace.saveRun). */
export interface RunCache {
  inputs: FileIndex;
  rendered: FileIndex;
  parse?: ParseCache;
  units?: DiskUnitCache;
  charts?: ChartCache;
}

export class Workspace {
  readonly renderedDir: string;
  private cacheDir: ProjectCache | undefined;

  constructor(readonly root: string) {
    this.renderedDir = join(root, 'rendered');
  }

  /** The project at `explicit` (--root), or the nearest directory upwards holding manifests/ and package.json. */
  static find(explicit?: string, cwd = process.cwd()): Workspace {
    if (explicit) {
      const root = resolve(explicit);
      if (!existsSync(join(root, 'manifests'))) {
        throw new BridgeError({ code: 'usage', message: `${root} has no manifests/ directory`, hint: 'point --root at a gitops-bridge project' });
      }
      return new Workspace(root);
    }
    for (let dir = cwd; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'manifests')) && existsSync(join(dir, 'package.json'))) return new Workspace(dir);
      if (dirname(dir) === dir) break;
    }
    throw new BridgeError({
      code: 'usage',
      message: 'no gitops-bridge project here: no directory with manifests/ and package.json above the working directory',
      hint: 'run the command inside the project, or pass --root <dir>',
    });
  }

  /** The cache directory, under the running code's key. */
  get cache(): ProjectCache {
    return (this.cacheDir ??= new ProjectCache(this.root, toolKey()));
  }

  /** What the cache holds for a run (empty indexes with `useCache` false: nothing is read or kept). */
  openRunCache(useCache: boolean): RunCache {
    if (!useCache) return { inputs: FileIndex.empty(), rendered: FileIndex.empty() };
    return { inputs: FileIndex.from(this.cache.read('sources')), rendered: FileIndex.from(this.cache.read('rendered')) };
  }

  /** The parse cache of the input files. */
  parseCache(): ParseCache {
    const data = this.cache.read('parsed') as { entries?: ParseCacheEntries } | undefined;
    return new ParseCache(typeof data?.entries === 'object' && data.entries !== null ? data.entries : {});
  }

  /** The compiled charts of earlier runs (charts.ts). */
  chartCache(): ChartCache {
    return new ChartCache(this.cache.read('charts'));
  }

  /** The unit cache; `usable` says whether a record found under its key may be used. */
  unitCache(usable: (unit: string, record: UnitRecord) => boolean): DiskUnitCache {
    return new DiskUnitCache(this.cache.read('units'), usable);
  }

  /**
   * Takes the project's lock for `command` (lock.ts), telling stderr once if it must wait, then
   * finishes or discards what a killed run left (recover): every command that reads or writes
   * rendered/ runs between this and the release it returns.
   */
  async lock(command: string, options: LockOptions = {}): Promise<Release> {
    const release = await acquireLock(workDirOf(this.renderedDir), command, {
      onWait: (h) => process.stderr.write(`waiting for another gitops-bridge run (pid ${h.pid}, \`${h.command}\`) to finish...\n`),
      ...options,
    });
    try {
      this.recover();
    } catch (e) {
      release();
      throw e;
    }
    return release;
  }

  /** Finishes or discards what a killed run left beside rendered/ (rendered-writer.ts). */
  recover(): void {
    recoverRendered(this.renderedDir);
  }

  get hasRendered(): boolean {
    return existsSync(this.renderedDir);
  }

  /** The input files (manifests/, infra/outputs/, schemas/crds/), as `index` vouches for them. */
  scanInputs(index: FileIndex): InputScan {
    const files = index.scan(this.root, INPUT_DIRS, acceptInput);
    for (const f of files.values()) if (f.stats.isFile()) refuseLargeInput(f.path, f.stats.size);
    return { files, plain: [...files.values()].every((f) => f.hashed !== NOT_A_FILE) };
  }

  /** The input files' contents: from a plain scan (one read each), else read afresh (following links). */
  readInputs(scan?: InputScan): SourceSet {
    if (!scan?.plain) return readSources(this.root);
    return new Map([...scan.files.keys()].sort(compareStrings).map((p) => [p, scan.files.get(p)!.text()]));
  }

  /** rendered/'s files (or those of the units `within`), as `index` vouches for them. */
  scanRendered(index: FileIndex, within?: readonly string[]): Map<string, DiskFile> {
    return index.scan(this.renderedDir, within);
  }

  /** A file of rendered/, checked against the blob id the render gave it. */
  readRendered(path: string, id: string): string {
    const text = readFileSync(inside(this.renderedDir, path), 'utf8');
    if (blobId(text) !== id) {
      throw new BridgeError({ code: 'stale', message: `rendered/${path} changed while it was being read`, file: `rendered/${path}`, hint: 'run the command again once nothing writes rendered/' });
    }
    return text;
  }

  /** A file of rendered/, as bytes (the committer checks them against the blob id it expects). */
  renderedBytes(path: string): Buffer {
    return readFileSync(inside(this.renderedDir, path));
  }

  /** A first render's tree, written while it renders (stage.ts). */
  stage(): Stage {
    return new Stage(stagePath(this.renderedDir));
  }

  /**
   * Changes rendered/ as `changes` says, all or nothing (rendered-writer.ts), and records what it
   * wrote in `index` (`files`: the render's blob ids). `staged`: a first render's tree.
   */
  write(changes: FileChanges, files: ReadonlyMap<string, string>, index: FileIndex, staged?: string): void {
    writeRendered(this.renderedDir, changes, staged);
    for (const path of changes.removed) index.forget(path);
    for (const path of [...changes.added, ...changes.changed]) index.record(this.renderedDir, path, files.get(path)!);
  }

  /** The last run's outcome if it was made under `key` (same code, inputs and selection). */
  lastRun(key: string): LastRun | undefined {
    const data = this.cache.read('last-run') as (Omit<LastRun, 'summary'> & { key: string; summary: Omit<RenderSummary, 'units'> & { units: string[] } }) | undefined;
    if (!data || data.key !== key) return undefined;
    const r = data.summary;
    const ok =
      typeof r === 'object' && r !== null && Array.isArray(r.units) && typeof r.complete === 'boolean' && Array.isArray(r.environments) && typeof r.tiers === 'object' && r.tiers !== null &&
      [r.apps, r.deployments, r.objects].every((n) => typeof n === 'number') &&
      typeof data.digest === 'string' &&
      typeof data.check === 'object' && data.check !== null && Array.isArray(data.check.violations) && Array.isArray(data.check.exemptionsApplied) && typeof data.check.objects === 'number';
    if (!ok) return undefined;
    return { summary: { ...r, units: new Set(r.units) }, digest: data.digest, check: data.check };
  }

  /**
   * Saves what a run learnt: the file indexes (with what was written, when `written`), the unit
   * and parse caches, and the outcome under `lastRunKey`. A failure to save is no error: the next
   * run does more work, nothing else.
   */
  saveRun(cache: RunCache, clock: Clock, outcome?: { key: string; run: LastRun }): void {
    try {
      const now = clock.now();
      if (cache.rendered.changed) this.cache.write('rendered', cache.rendered.toJSON(now));
      if (cache.inputs.changed) this.cache.write('sources', cache.inputs.toJSON(now));
      if (cache.units?.dirty) this.cache.write('units', cache.units.toJSON());
      if (cache.parse?.dirty) this.cache.write('parsed', { entries: cache.parse.toJSON() });
      if (cache.charts?.dirty) this.cache.write('charts', cache.charts.toJSON());
      if (outcome) {
        const { summary, ...rest } = outcome.run;
        this.cache.write('last-run', { key: outcome.key, summary: { ...summary, units: [...summary.units] }, ...rest });
      }
    } catch {
      // a read-only or full disk
    }
  }
}

/** A digest of the files of rendered/ a render owns (path and blob id, in path order), of `paths` with their `idOf`. */
export function digestOfFiles(paths: Iterable<string>, idOf: (path: string) => string, summary: Pick<RenderSummary, 'complete' | 'units' | 'environments'>): string {
  const owned = [...paths].filter(ownedBy(summary)).sort(compareStrings);
  return digestOf(owned.flatMap((p) => [p, idOf(p)]));
}
