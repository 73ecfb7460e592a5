/**
 * What an environment ran, as the rendered branch's history says: whether a manifest of an app
 * directory, in any commit of the branch the environment deploys from, names an image. Read
 * with the object store (verified reads), directory by directory: a commit whose app directory
 * is the one already searched costs one tree lookup, so a long history of other apps' changes
 * is cheap.
 */
import { isTreeMode } from './object-format.js';
import type { ObjectStore } from './object-store.js';
import { readRef, type GitDirs } from './refs.js';

export interface RanQuery {
  dirs: GitDirs;
  store: ObjectStore;
  /** Refs to search, e.g. refs/remotes/origin/rendered and refs/heads/rendered; those that exist are searched. */
  refs: readonly string[];
  /** The app directory on the branch: `<env>/<app>`, or `<app>` on an environment branch. */
  path: string;
  /** The image as the manifests spell it (`repository:tag`, `repository@digest`, or both). */
  image: string;
  /** Commits searched at most, per ref. */
  limit?: number;
}

export interface RanAnswer {
  /** The commit whose manifests name the image, if one does. */
  commit?: string;
  /** The refs that exist (an empty list: there is no history to ask). */
  searched: string[];
}

export async function imageRanIn(q: RanQuery): Promise<RanAnswer> {
  const searched: string[] = [];
  const seenDirs = new Set<string>();
  const seenCommits = new Set<string>();
  const line = new RegExp(`^\\s*(?:-\\s+)?image:\\s*['"]?${q.image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?\\s*$`, 'm');
  for (const ref of q.refs) {
    let oid = readRef(q.dirs, ref);
    if (!oid) continue;
    searched.push(ref);
    for (let n = 0; oid && n < (q.limit ?? 1000) && !seenCommits.has(oid); n++) {
      seenCommits.add(oid);
      if (!q.store.has(oid)) break; // the edge of a shallow clone
      const commit = await q.store.readCommit(oid);
      const dir = await q.store.oidAt(commit.tree, q.path);
      if (dir && !seenDirs.has(dir)) {
        seenDirs.add(dir);
        for (const e of await q.store.readTree(dir)) {
          if (isTreeMode(e.mode) || !e.name.endsWith('.yaml')) continue;
          if (line.test((await q.store.read(e.oid)).content.toString('utf8'))) return { commit: oid, searched };
        }
      }
      oid = commit.parents[0];
    }
  }
  return { searched };
}
