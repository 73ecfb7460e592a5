/**
 * The I/O edge for rendered/: read it, and replace it atomically. A new tree is built beside
 * rendered/ (unchanged files hard-linked, not rewritten) and swapped in with renames, so a
 * failure part-way leaves the old rendered/ in place. A swap interrupted between its two
 * renames is completed by the next run.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BridgeError } from '../core/errors.js';
import type { FileChanges } from './diff.js';
import { hasChanges } from './diff.js';

export function renderedDir(root: string): string {
  return join(root, 'rendered');
}

export function readRendered(dir: string): Map<string, string> {
  recoverInterruptedSwap(dir);
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Writes `changes.next` as the new rendered/. Does nothing when nothing changed. */
export function writeRendered(dir: string, changes: FileChanges): void {
  if (!hasChanges(changes)) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
    const rewritten = new Set([...changes.added, ...changes.changed]);
    for (const [path, content] of changes.next) {
      const target = resolve(tmp, path);
      if (!target.startsWith(tmp + sep)) {
        throw new BridgeError({ code: 'invalid-name', message: `refusing to write outside rendered/: ${path}` });
      }
      mkdirSync(dirname(target), { recursive: true });
      if (rewritten.has(path)) writeFileSync(target, content);
      else linkOrCopy(join(dir, path), target);
    }
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/**
 * Leftovers of a killed run. Killed while building: a partial rendered.tmp-* beside an intact
 * rendered/, which is deleted. Killed between the two renames: no rendered/, a complete
 * rendered.tmp-* (renames start only once it is built) and rendered.old-*: finish the swap.
 */
function recoverInterruptedSwap(dir: string): void {
  const parent = dirname(dir);
  const base = dir.slice(parent.length + 1);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  const tmps = names.filter((n) => n.startsWith(`${base}.tmp-`)).map((n) => join(parent, n));
  const olds = names.filter((n) => n.startsWith(`${base}.old-`)).map((n) => join(parent, n));
  if (!existsSync(dir)) {
    if (olds.length === 1 && tmps.length === 1) renameSync(tmps.pop()!, dir);
    else if (olds.length === 1 && tmps.length === 0) renameSync(olds.pop()!, dir);
  }
  if (existsSync(dir)) for (const leftover of [...tmps, ...olds]) rmSync(leftover, { recursive: true, force: true });
}
