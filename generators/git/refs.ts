/**
 * Reading refs the way git stores them: a loose file under refs/ (possibly symbolic, "ref: ..."),
 * else a line of packed-refs. Read fresh from disk every time: the compare-and-swap in lock.ts
 * depends on seeing the current value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badRef } from './errors.js';
import { isOid } from './object-format.js';

/** Where a repository keeps its files. For a linked worktree, HEAD is per worktree and the rest is shared. */
export interface GitDirs {
  /** The working tree (the directory holding .git). */
  worktree: string;
  /** The directory holding HEAD (.git, or .git/worktrees/<name> for a linked worktree). */
  gitdir: string;
  /** The directory holding objects/, refs/ and config. */
  commondir: string;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

export function readPackedRefs(commondir: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = readText(join(commondir, 'packed-refs'));
  if (!text) return out;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const sp = line.indexOf(' ');
    out.set(line.slice(sp + 1).trim(), line.slice(0, sp));
  }
  return out;
}

/** The object id a full ref name ("refs/heads/rendered") points at, following symbolic refs; undefined if it does not exist. */
export function readRef(dirs: GitDirs, name: string, depth = 0): string | undefined {
  if (depth > 5) throw badRef(name, 'is part of a loop of symbolic refs');
  const base = name === 'HEAD' || !name.startsWith('refs/') ? dirs.gitdir : dirs.commondir;
  const text = readText(join(base, name))?.trim();
  if (text !== undefined && text !== '') {
    if (text.startsWith('ref: ')) return readRef(dirs, text.slice(5).trim(), depth + 1);
    if (!isOid(text)) throw badRef(name, `holds ${JSON.stringify(text.slice(0, 80))}, not an object id`, join(base, name));
    return text;
  }
  return readPackedRefs(dirs.commondir).get(name);
}

/** What HEAD names: a branch (possibly unborn: no oid yet) or, detached, a commit. */
export function readHead(dirs: GitDirs): { branch?: string; oid?: string } {
  const text = readText(join(dirs.gitdir, 'HEAD'))?.trim() ?? '';
  if (text.startsWith('ref: ')) {
    const branch = text.slice(5).trim();
    return { branch, oid: readRef(dirs, branch) };
  }
  return isOid(text) ? { oid: text } : {};
}
