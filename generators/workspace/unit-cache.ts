/**
 * The incremental render's cache on disk: .cache/gitops-bridge/ under the project root (the
 * project's .gitignore lists .cache/). units.json holds, per unit, its key and its record
 * (incremental.ts UnitRecord); rendered.json is the manifest of rendered/ (write/rendered-state.ts).
 * A missing, unreadable or corrupt file, or a record of the wrong shape, is a cache miss, never
 * an error. The I/O edge of the incremental render.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { UnitCache, UnitRecord } from '../engine/engine.js';

export const CACHE_DIR = '.cache/gitops-bridge';
const VERSION = 1;

interface UnitsFile {
  version: number;
  units: Record<string, [string, UnitRecord]>;
}

export function cacheDir(root: string): string {
  return join(root, CACHE_DIR);
}

/** Creates the cache directory with a .gitignore of its own, so git never picks it up, whatever the project ignores. */
export function ensureCacheDir(root: string): string {
  const dir = cacheDir(root);
  if (!existsSync(join(dir, '.gitignore'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.gitignore'), '# gitops-bridge render cache (safe to delete)\n*\n');
  }
  return dir;
}

export class DiskUnitCache implements UnitCache {
  private changed = false;
  /**
   * @param usable whether a record found under its key may be used (the render command requires
   *   rendered/ to hold its files, since it has no contents to write otherwise)
   */
  private constructor(
    private readonly file: string,
    private readonly units: Map<string, [string, UnitRecord]>,
    private readonly usable: (unit: string, record: UnitRecord) => boolean,
  ) {}

  static load(root: string, usable: (unit: string, record: UnitRecord) => boolean = () => true): DiskUnitCache {
    const file = join(cacheDir(root), 'units.json');
    const data = readJsonFile(file) as UnitsFile | undefined;
    const units = new Map<string, [string, UnitRecord]>();
    if (data && data.version === VERSION && typeof data.units === 'object' && data.units !== null) {
      for (const [unit, entry] of Object.entries(data.units)) {
        if (Array.isArray(entry) && typeof entry[0] === 'string' && isRecord(entry[1])) units.set(unit, [entry[0], entry[1]]);
      }
    }
    return new DiskUnitCache(file, units, usable);
  }

  get(unit: string, key: string): UnitRecord | undefined {
    const entry = this.units.get(unit);
    if (!entry || entry[0] !== key) return undefined;
    return this.usable(unit, entry[1]) ? entry[1] : undefined;
  }

  set(unit: string, key: string, record: UnitRecord): void {
    this.units.set(unit, [key, record]);
    this.changed = true;
  }

  /** Writes units.json when something changed. */
  save(): void {
    if (!this.changed) return;
    writeJsonFile(this.file, { version: VERSION, units: Object.fromEntries(this.units) } satisfies UnitsFile);
    this.changed = false;
  }
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A record of the right shape (what a corrupt or foreign file is checked against). */
function isRecord(x: unknown): x is UnitRecord {
  if (!isObject(x) || !Array.isArray(x.files) || !Array.isArray(x.views) || !Array.isArray(x.findings) || !Array.isArray(x.reads)) return false;
  if (x.files.length !== x.views.length) return false;
  if (!x.files.every((f) => Array.isArray(f) && f.length === 2 && isString(f[0]) && isString(f[1]))) return false;
  if (!x.views.every((v) => isObject(v) && isString(v.kind) && isObject(v.metadata))) return false;
  if (!x.reads.every((r) => Array.isArray(r) && r.length === 3 && r.every(isString))) return false;
  return x.findings.every(
    (f) =>
      isObject(f) &&
      ['file', 'kind', 'source', 'policy', 'pointer', 'message'].every((k) => isString(f[k])) &&
      (f.level === 'mandatory' || f.level === 'advisory') &&
      ['name', 'hint', 'specPointer'].every((k) => f[k] === undefined || isString(f[k])),
  );
}
