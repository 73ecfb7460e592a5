/**
 * The I/O edge for rendered/: read it, and change it all or nothing.
 *
 * Everything not yet part of rendered/ lives in the work directory (.cache/gitops-bridge/, out of
 * git's view through its own .gitignore: work-dir.ts). A first render builds the whole tree there
 * (stage-<pid>/) and renames it into place: one rename, so rendered/ is absent or complete. Later
 * renders write only what changed: the new files go into a journal (journal-<pid>/files/...),
 * then its plan (which files to move in, which to delete) is written, and only then is rendered/
 * touched: deletions, then each new file renamed over the old one. A run that fails or is killed
 * before the plan is written leaves rendered/ as it was (and its journal is deleted by the next
 * run); a run killed while applying the plan leaves a committed journal, which every command
 * applies first (recoverRendered), before it reads rendered/: so rendered/ ends up all old or all
 * new, a one-app change costs the files of that app, not a copy of the tree, and a journal that
 * cannot be finished stops every command with an error saying so.
 *
 * Between such a kill and the next command, git sees the files moved in so far: POSIX has no
 * rename that swaps a whole tree over another, so that is the one window, bounded to the renames
 * of one plan. A tree committed from inside it is what `check` (in CI, where no journal exists)
 * reports as stale.
 *
 * Left by older versions beside rendered/: rendered.journal-<pid>/ (applied or discarded the same
 * way), a swap interrupted between its two renames (rendered.old-*, a complete rendered.tmp-*) is
 * completed, a partial rendered.tmp-* is discarded.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { BridgeError } from '../core/errors.js';
import type { FileChanges } from '../engine/changes.js';
import { hasChanges } from '../engine/changes.js';
import { alive, ensureWorkDir, pidOf, sameFileSystem, workDirOf } from './work-dir.js';

interface Plan {
  /** Paths under rendered/ to move in from the journal's files/. */
  write: string[];
  /** Paths under rendered/ to delete. */
  remove: string[];
}

/** Where a first render of `dir` builds its tree (stage.ts): in the work directory, made ready. */
export function stagePath(dir: string): string {
  const work = workDirOf(dir);
  ensureWorkDir(work);
  sameFileSystem(work, dir);
  return join(work, `stage-${process.pid}`);
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
  if (staged) {
    if (existsSync(dir) || changes.changed.length > 0 || changes.removed.length > 0 || !existsSync(staged)) {
      rmSync(staged, { recursive: true, force: true });
      throw new BridgeError({
        code: 'stale',
        message: 'rendered/ appeared while this first render ran; nothing was written',
        file: 'rendered',
        hint: 'run the command again (another program made rendered/ meanwhile)',
      });
    }
    renameSync(staged, dir);
    return;
  }
  recoverRendered(dir);
  const write = [...changes.added, ...changes.changed];
  for (const path of write) {
    if (!changes.contents.has(path)) throw new Error(`internal error: no content for ${path}`);
  }
  const work = workDirOf(dir);
  ensureWorkDir(work);
  sameFileSystem(work, dir);
  if (!existsSync(dir)) return buildNew(dir, join(work, `stage-${process.pid}`), write, changes.contents);

  const journal = join(work, `journal-${process.pid}`);
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

/** No rendered/ yet: build it in the work directory, then rename it into place. */
function buildNew(dir: string, tmp: string, write: string[], contents: ReadonlyMap<string, string>): void {
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

/** Entries of a directory, none when it cannot be listed. */
function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Finishes or discards what killed runs left: a journal with its plan is applied, one without is
 * deleted (rendered/ was not touched yet), as is a partial staged tree and a cache file's
 * temporary copy; what a run still going left is left alone. Then the older versions' leftovers
 * beside rendered/. A journal that cannot be applied is an error naming it: no command may read
 * rendered/ half-changed.
 */
export function recoverRendered(dir: string): void {
  const work = workDirOf(dir);
  const parent = dirname(dir);
  const base = dir.slice(parent.length + 1);
  const journals = [
    ...list(work).filter((n) => n.startsWith('journal-')).map((n) => join(work, n)),
    ...list(parent).filter((n) => n.startsWith(`${base}.journal-`)).map((n) => join(parent, n)),
  ].sort();
  for (const journal of journals) {
    const pid = pidOf(journal);
    if (pid !== process.pid && alive(pid)) continue;
    if (existsSync(join(journal, 'plan.json')) && existsSync(dir)) {
      try {
        applyJournal(dir, journal);
      } catch (e) {
        throw new BridgeError({
          code: 'io',
          message: `an interrupted write of rendered/ could not be finished (${(e as Error).message}); rendered/ may hold old and new files`,
          file: journal,
          hint: `fix the cause and run \`npm run render\` again, which finishes it; or delete ${journal} and run \`npm run render\``,
        });
      }
    } else rmSync(journal, { recursive: true, force: true });
  }
  for (const name of list(work)) {
    if (!name.startsWith('stage-') && !/\.tmp-\d+$/.test(name)) continue;
    const pid = pidOf(name);
    if (pid !== process.pid && alive(pid)) continue;
    rmSync(join(work, name), { recursive: true, force: true });
  }
  recoverInterruptedSwap(dir, list(parent));
}

/** Whether a committed journal of a run that is not going waits to be applied (recoverRendered finishes it). */
export function pendingJournal(dir: string): string | undefined {
  const work = workDirOf(dir);
  for (const name of list(work).filter((n) => n.startsWith('journal-'))) {
    if (existsSync(join(work, name, 'plan.json')) && !alive(pidOf(name))) return join(work, name);
  }
  return undefined;
}

/**
 * Leftovers of a killed run of the whole-tree swap of older versions. Killed while building: a
 * partial rendered.tmp-* beside an intact rendered/, which is deleted. Killed between the two
 * renames: no rendered/, a complete rendered.tmp-* (renames start only once it is built) and
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
      const pid = pidOf(leftover);
      if (pid !== process.pid && alive(pid)) continue;
      rmSync(leftover, { recursive: true, force: true });
    }
  }
}
