/**
 * The unit cache as the cache directory keeps it (units.json, see cache.ts): per unit, its key
 * and its record (engine UnitRecord). A record of the wrong shape is a cache miss, never an
 * error.
 */
import type { UnitCache, UnitRecord } from '../engine/engine.js';

interface UnitsFile {
  units: Record<string, [string, UnitRecord]>;
}

export class DiskUnitCache implements UnitCache {
  private changed = false;
  private readonly units = new Map<string, [string, UnitRecord]>();

  /**
   * @param data what units.json held (anything: checked here)
   * @param usable whether a record found under its key may be used (the render command requires
   *   rendered/ to hold its files, since it has no contents to write otherwise)
   */
  constructor(
    data: unknown,
    private readonly usable: (unit: string, record: UnitRecord) => boolean = () => true,
  ) {
    const units = (data as Partial<UnitsFile> | undefined)?.units;
    if (typeof units === 'object' && units !== null) {
      for (const [unit, entry] of Object.entries(units)) {
        if (Array.isArray(entry) && typeof entry[0] === 'string' && isRecord(entry[1])) this.units.set(unit, [entry[0], entry[1]]);
      }
    }
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

  /** Whether anything was set since it was read. */
  get dirty(): boolean {
    return this.changed;
  }

  toJSON(): UnitsFile {
    return { units: Object.fromEntries(this.units) };
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
