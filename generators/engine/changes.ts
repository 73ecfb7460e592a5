/** What a render would change in rendered/, file by file. Pure. */
import { compareStrings } from '../core/strings.js';
import type { RenderSummary } from './engine.js';
import { unitOf } from './layout.js';

export interface FileChanges {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** The new content of every added and changed file (what writeRendered writes). */
  contents: Map<string, string>;
}

/**
 * Compares rendered/'s files (path -> a blob id, computed on demand) with a render given as
 * path -> blob id, with the contents it has (those of the units it rendered; an added or changed
 * file of any other unit gets no content, which only a writer minds).
 */
export function compareFiles(
  current: ReadonlyMap<string, { hash(): string }>,
  next: ReadonlyMap<string, string>,
  contents: ReadonlyMap<string, string>,
  result: Pick<RenderSummary, 'complete' | 'units' | 'environments'>,
): FileChanges {
  const owned = ownedBy(result);
  const out = new Map<string, string>();
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const path of current.keys()) {
    if (owned(path) && !next.has(path)) removed.push(path);
  }
  for (const [path, hash] of next) {
    const before = current.get(path);
    if (before === undefined) added.push(path);
    else if (before.hash() !== hash) changed.push(path);
    else {
      unchanged++;
      continue;
    }
    const content = contents.get(path);
    if (content !== undefined) out.set(path, content);
  }
  return { added: added.sort(compareStrings), changed: changed.sort(compareStrings), removed: removed.sort(compareStrings), unchanged, contents: out };
}

/** Whether a path under rendered/ is the render's to write or delete: all of them, or those of the units it rendered. */
export function ownedBy(result: Pick<RenderSummary, 'complete' | 'units' | 'environments'>): (path: string) => boolean {
  const envs = new Set(result.environments);
  return (path) => result.complete || result.units.has(unitOf(path, envs));
}

export function hasChanges(c: FileChanges): boolean {
  return c.added.length + c.changed.length + c.removed.length > 0;
}
