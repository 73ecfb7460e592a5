// A thread that lists a directory tree and stats every entry (write/rendered-state.ts TreeWalk):
// rendered/ of a large fleet is thousands of directories and tens of thousands of files, and
// their system calls take a tenth of a second or more that this thread does on the other core,
// while the main thread scans and loads the inputs. Plain JavaScript, so it starts in
// milliseconds. It reads nothing but listings and stats, and writes nothing.
import { lstatSync, readdirSync } from 'node:fs';
import { sep } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** Entry kinds in `stats`. */
export const FILE = 0;
export const DIR = 1;
export const OTHER = 2;

/**
 * Every entry under `root` (the root first, as ''), in walk order: `paths` joined by NUL (no
 * file name holds one), and per entry five numbers in `stats`: kind, size, mtimeMs, ctimeMs,
 * ino. A directory's entries follow it, in its listing's order. Flat, so the thread hands it
 * over in one copy of a string and one transfer of a buffer. An entry that vanishes midway is
 * left out, as a scan that came a moment later would.
 */
export function walkTree(root) {
  const paths = [];
  let stats = new Float64Array(5 * 1024);
  const add = (rel, s) => {
    const i = paths.length;
    if ((i + 1) * 5 > stats.length) {
      const grown = new Float64Array(stats.length * 2);
      grown.set(stats);
      stats = grown;
    }
    paths.push(rel);
    stats.set([s.isDirectory() ? DIR : s.isFile() ? FILE : OTHER, s.size, s.mtimeMs, s.ctimeMs, s.ino], i * 5);
  };
  const walk = (abs, rel) => {
    const s = lstatSync(abs, { throwIfNoEntry: false });
    if (!s) return;
    add(rel, s);
    if (!s.isDirectory()) return;
    let names;
    try {
      names = readdirSync(abs);
    } catch {
      names = [];
    }
    for (const name of names) walk(abs + sep + name, rel === '' ? name : `${rel}/${name}`);
  };
  walk(root, '');
  return { paths: paths.join('\0'), stats: stats.slice(0, paths.length * 5) };
}

if (parentPort && workerData?.root !== undefined) {
  let reply;
  try {
    reply = { type: 'walked', ...walkTree(workerData.root) };
  } catch (e) {
    reply = { type: 'failed', error: e instanceof Error ? e.message : String(e) };
  }
  parentPort.postMessage(reply, reply.stats ? [reply.stats.buffer] : []);
}
