/** What a render would change in rendered/, file by file. Pure. */
import { compareStrings } from '../core/strings.js';
import type { RenderResult } from '../render/pipeline.js';
import { unitOf } from './layout.js';

export interface FileChanges {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** The complete file set of rendered/ after the change. */
  next: Map<string, string>;
}

export function diffRendered(current: Map<string, string>, result: RenderResult): FileChanges {
  const envs = new Set(result.environments);
  const owned = (path: string) => result.complete || result.units.has(unitOf(path, envs));
  const next = new Map<string, string>();
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const [path, content] of current) {
    if (!owned(path)) next.set(path, content);
    else if (!result.files.has(path)) removed.push(path);
  }
  for (const [path, content] of result.files) {
    next.set(path, content);
    const before = current.get(path);
    if (before === undefined) added.push(path);
    else if (before !== content) changed.push(path);
    else unchanged++;
  }
  return { added: added.sort(compareStrings), changed: changed.sort(compareStrings), removed: removed.sort(compareStrings), unchanged, next };
}

export function hasChanges(c: FileChanges): boolean {
  return c.added.length + c.changed.length + c.removed.length > 0;
}
