/**
 * The two trees of the kill trials: an old rendered/ and a new one that changes half its files,
 * removes a tenth, adds a tenth (with a new app directory), so a write moves, deletes and makes
 * directories. Sized so the write takes long enough to be hit at many moments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { blobId } from '../../generators/core/hash.js';
import type { FileChanges } from '../../generators/engine/changes.js';

const ENVS = ['dev', 'staging', 'prod'];
const APPS = 40;
const FILES = 12;

export function treeOf(which: 'old' | 'new'): Map<string, string> {
  const out = new Map<string, string>();
  for (const env of ENVS) {
    for (let a = 0; a < APPS + (which === 'new' ? 4 : 0); a++) {
      for (let f = 0; f < FILES; f++) {
        const i = a * FILES + f;
        if (which === 'new' && i % 10 === 3) continue; // removed
        if (which === 'old' && a >= APPS) continue;
        const version = which === 'new' && i % 2 === 0 ? 'new' : 'old';
        out.set(`${env}/app-${a}/configmap-${f}.yaml`, `kind: ConfigMap\nmetadata:\n  name: c${f}\ndata:\n  v: ${version}\n  pad: "${'x'.repeat(600)}"\n`);
      }
    }
  }
  return out;
}

/** What writeRendered needs to turn `current` into `target`. */
export function compareTrees(current: Map<string, string>, target: Map<string, string>): FileChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const contents = new Map<string, string>();
  let unchanged = 0;
  for (const [path, text] of target) {
    const old = current.get(path);
    if (old === undefined) added.push(path);
    else if (blobId(old) !== blobId(text)) changed.push(path);
    else {
      unchanged++;
      continue;
    }
    contents.set(path, text);
  }
  const removed = [...current.keys()].filter((p) => !target.has(p));
  return { added, changed, removed, unchanged, contents };
}

/** Every file under `dir`: path relative to it -> text (none when it is missing). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8'));
  return out;
}
