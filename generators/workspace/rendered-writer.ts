/**
 * The I/O edge for rendered/: read it, and change it all or nothing.
 *
 * A first render builds the whole tree beside rendered/ (rendered.tmp-<pid>) and renames it into
 * place. Later renders write only what changed: the new files go into a journal beside rendered/
 * (rendered.journal-<pid>/files/...), then its plan (which files to move in, which to delete) is
 * written, and only then is rendered/ touched: deletions, then each new file renamed over the old
 * one. A run that fails before the plan is written leaves rendered/ as it was; a run killed while
 * applying a plan is completed by the next run (recoverRendered, which every command runs first), which applies
 * the rest of the plan. So rendered/ ends up all old or all new, and a one-app change costs the
 * files of that app, not a copy of the tree.
 *
 * Left by older versions: a swap interrupted between its two renames (rendered.old-*, a complete
 * rendered.tmp-*) is completed, a partial rendered.tmp-* is discarded.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { BridgeError } from '../core/errors.js';
import type { FileChanges } from '../engine/changes.js';
import { hasChanges } from '../engine/changes.js';

interface Plan {
  /** Paths under rendered/ to move in from the journal's files/. */
  write: string[];
  /** Paths under rendered/ to delete. */
  remove: string[];
}

/**
 * Writes what `changes` says: added and changed files (from `changes.contents`), removals. Does
 * nothing when nothing changed. `staged`: a first render's tree already written (stage.ts),
 * holding exactly the added files, to rename into place.
 */
export function writeRendered(dir: string, changes: FileChanges, staged?: string): void {
  if (!hasChanges(changes)) {
    if (staged) rmSync(staged, { recursive: true, force: true });
    return;
  }
  if (staged && !existsSync(dir) && changes.changed.length === 0 && changes.removed.length === 0 && existsSync(staged)) {
    renameSync(staged, dir);
    return;
  }
  if (staged) rmSync(staged, { recursive: true, force: true });
  recoverRendered(dir);
  const write = [...changes.added, ...changes.changed];
  for (const path of write) {
    if (!changes.contents.has(path)) throw new Error(`internal error: no content for ${path}`);
  }
  if (!existsSync(dir)) return buildNew(dir, write, changes.contents);

  const journal = `${dir}.journal-${process.pid}`;
  const files = join(journal, 'files');
  rmSync(journal, { recursive: true, force: true });
  try {
    mkdirSync(journal);
    writeFilesUnder(files, write, changes.contents);
    for (const path of changes.removed) inside(dir, path);
    // The plan, written last and renamed into place: from here on the change is committed.
    writeFileSync(join(journal, 'plan.json.tmp'), JSON.stringify({ write, remove: changes.removed } satisfies Plan));
    renameSync(join(journal, 'plan.json.tmp'), join(journal, 'plan.json'));
  } catch (e) {
    rmSync(journal, { recursive: true, force: true });
    throw e;
  }
  applyJournal(dir, journal);
}

/** Writes `paths` (with their `contents`) under `base`, making each directory once. */
function writeFilesUnder(base: string, paths: readonly string[], contents: ReadonlyMap<string, string>): void {
  const made = new Set<string>();
  for (const path of paths) {
    const target = inside(base, path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, contents.get(path)!);
  }
}

/** No rendered/ yet: build it beside, then rename it into place. */
function buildNew(dir: string, write: string[], contents: ReadonlyMap<string, string>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    writeFilesUnder(tmp, write, contents);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** `base/path`, refusing a path that would leave `base`. */
export function inside(base: string, path: string): string {
  const target = resolve(base, path);
  if (!target.startsWith(resolve(base) + sep)) {
    throw new BridgeError({ code: 'invalid-name', message: `refusing to write outside rendered/: ${path}` });
  }
  return target;
}

/**
 * Applies a committed journal to rendered/: deletions (and directories they leave empty), then
 * every new file renamed into place. Idempotent, so a killed run's journal can be applied again.
 */
function applyJournal(dir: string, journal: string): void {
  const plan = JSON.parse(readFileSync(join(journal, 'plan.json'), 'utf8')) as Plan;
  for (const path of plan.remove) {
    const target = inside(dir, path);
    try {
      unlinkSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    pruneEmpty(dir, dirname(target));
  }
  const made = new Set<string>();
  for (const path of plan.write) {
    const from = join(journal, 'files', path);
    const target = inside(dir, path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    try {
      renameSync(from, target);
    } catch (e) {
      // Already moved by the run this one completes.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(from)) continue;
      throw e;
    }
  }
  rmSync(journal, { recursive: true, force: true });
}

/** Removes `from` and its parents up to (not including) `dir` while they are empty. */
function pruneEmpty(dir: string, from: string): void {
  const root = resolve(dir);
  for (let d = resolve(from); d !== root && d.startsWith(root + sep); d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/**
 * Finishes or discards what killed runs left beside rendered/: a journal with its plan is
 * applied, one without is deleted (rendered/ was not touched yet); a journal of a run still
 * going is left alone. Then the older swap leftovers.
 */
export function recoverRendered(dir: string): void {
  const parent = dirname(dir);
  const base = dir.slice(parent.length + 1);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(`${base}.journal-`)).sort()) {
    const pid = Number(name.slice(`${base}.journal-`.length));
    if (pid !== process.pid && alive(pid)) continue;
    const journal = join(parent, name);
    if (existsSync(join(journal, 'plan.json')) && existsSync(dir)) applyJournal(dir, journal);
    else rmSync(journal, { recursive: true, force: true });
  }
  recoverInterruptedSwap(dir, names);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Leftovers of a killed run of the whole-tree swap. Killed while building: a partial
 * rendered.tmp-* beside an intact rendered/, which is deleted. Killed between the two renames:
 * no rendered/, a complete rendered.tmp-* (renames start only once it is built) and
 * rendered.old-*: finish the swap.
 */
function recoverInterruptedSwap(dir: string, names: string[]): void {
  const parent = dirname(dir);
  const base = dir.slice(parent.length + 1);
  const tmps = names.filter((n) => n.startsWith(`${base}.tmp-`)).map((n) => join(parent, n));
  const olds = names.filter((n) => n.startsWith(`${base}.old-`)).map((n) => join(parent, n));
  if (!existsSync(dir)) {
    if (olds.length === 1 && tmps.length === 1) renameSync(tmps.pop()!, dir);
    else if (olds.length === 1 && tmps.length === 0) renameSync(olds.pop()!, dir);
  }
  // With rendered/ in place, or none and nothing it was swapped from (a first build killed
  // before its rename), what is left is a partial build: gone.
  if (existsSync(dir) || olds.length === 0) {
    for (const leftover of [...tmps, ...olds]) {
      const pid = Number(leftover.slice(leftover.lastIndexOf('-') + 1));
      if (pid !== process.pid && alive(pid)) continue;
      rmSync(leftover, { recursive: true, force: true });
    }
  }
}
