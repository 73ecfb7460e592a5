/**
 * The hydrator notes: on refs/notes/hydrator.metadata, `{"drySha": "<sha>"}` on the tip of every
 * proposed branch after every rendered:commit, also when nothing was committed, as Argo CD's
 * commit server writes them. GitOps Promoter reads the note before the tip's hydrator.metadata
 * file: with the note, a dry commit that changes nothing in an environment still tells Promoter
 * that the environment is hydrated at that dry commit, so the environments after it in the
 * promotion order are not left waiting for the hydrator.
 *
 * Existing notes are read with the object store (verified reads); new ones are written with
 * isomorphic-git's addNote through the guarded file system (objects written atomically, the
 * ref write held back), starting from a given notes commit (the remote's when pushing, else the
 * local one), so the caller moves the ref itself, by compare-and-swap. A note already holding the
 * same text is not written again, so a run that changes nothing makes no notes commit.
 *
 * isomorphic-git writes notes flat (one tree entry per annotated commit) and finds only flat
 * ones; git fans the tree out into `xx/` directories once it holds many notes it wrote itself.
 * A fanned-out notes tree is refused rather than given a second note for a commit, which
 * `git notes show` would print concatenated (not JSON any more).
 */
import { resolve, join } from 'node:path';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import { guardedFs } from './guarded-fs.js';
import { isTreeMode, type Signature } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import type { GitDirs } from './refs.js';

export const NOTES_REF = 'refs/notes/hydrator.metadata';
/** The ref isomorphic-git builds on: held in memory, never written to disk. */
const SCRATCH_REF = 'refs/gitops-bridge/notes-in-progress';

/** Note text by annotated commit, under the notes commit `notes` (none: no notes yet). */
export async function readNotes(store: ObjectStore, notes: string | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!notes) return out;
  for (const e of await store.readTree((await store.readCommit(notes)).tree)) {
    if (isTreeMode(e.mode)) {
      throw new BridgeError({
        code: 'git-notes',
        message: `${NOTES_REF} (${notes.slice(0, 7)}) has a fanned-out tree (${e.name}/), as git writes many notes; gitops-bridge reads and writes its notes flat and would give a commit a second note`,
        hint: `Promoter reads the notes of the proposed branches' tips only: delete the notes ref (git update-ref -d ${NOTES_REF}, and on the remote git push origin :${NOTES_REF}) and run again, which writes the tips' notes anew`,
      });
    }
    out.set(e.name, (await store.read(e.oid)).content.toString('utf8'));
  }
  return out;
}

/**
 * A notes commit on top of `base` giving each commit of `notes` its text (commits whose note
 * already reads so are left alone); undefined when every note is already there. Objects are
 * written; no ref moves.
 */
export async function addNotes(o: { dirs: GitDirs; store: ObjectStore; base: string | undefined; notes: ReadonlyMap<string, string>; who: Signature }): Promise<string | undefined> {
  const existing = await readNotes(o.store, o.base);
  const pending = [...o.notes].filter(([oid, text]) => existing.get(oid) !== text).sort(([a], [b]) => (a < b ? -1 : 1));
  if (pending.length === 0) return undefined;
  const guarded = guardedFs(o.dirs.commondir);
  const scratch = resolve(join(o.dirs.commondir, SCRATCH_REF));
  guarded.held.set(scratch, o.base ? Buffer.from(`${o.base}\n`) : null);
  // isomorphic-git's signature: its timezoneOffset has the sign of JavaScript's getTimezoneOffset (minutes west).
  const who = { name: o.who.name, email: o.who.email, timestamp: o.who.timestamp, timezoneOffset: -o.who.offset };
  for (const [oid, note] of pending) {
    await git.addNote({ fs: guarded.fs, gitdir: o.dirs.commondir, ref: SCRATCH_REF, oid, note, force: true, author: who, committer: who, cache: o.store.cache });
  }
  const made = guarded.held.get(scratch)?.toString('utf8').trim();
  if (!made) throw new Error('internal error: addNote left no notes commit');
  return made;
}
