/**
 * The process the kill trials kill (kill-harness.ts): in project `root`, takes the lock as a
 * command does (recovering first), then changes rendered/ from the old tree to the new one
 * through the real writer; prints "writing" just before the write starts and "done" after.
 * With a third argument (ms), a thread of its own kills it (SIGKILL) that long after the write
 * starts: the write is synchronous, so only another thread can time the kill within it, and
 * the parent's timers would lag behind its own work.
 */
import { Worker } from 'node:worker_threads';
import { Workspace } from '../../generators/workspace/workspace.js';
import { writeRendered } from '../../generators/workspace/rendered-writer.js';
import { compareTrees, readTree, treeOf } from './kill-trees.js';

const [root, which, killAfter] = process.argv.slice(2);
const go = new Int32Array(new SharedArrayBuffer(4));
let killer: Worker | undefined;
if (killAfter !== undefined) {
  killer = new Worker(
    `const { workerData } = require('node:worker_threads');
     Atomics.wait(workerData.go, 0, 0);
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     process.kill(workerData.pid, 'SIGKILL');`,
    { eval: true, workerData: { go, ms: Number(killAfter), pid: process.pid } },
  );
  await new Promise((r) => killer!.once('online', r));
}
const ws = new Workspace(root!);
const release = await ws.lock('render');
const target = treeOf(which === 'old' ? 'old' : 'new');
const changes = compareTrees(readTree(ws.renderedDir), target);
process.stdout.write('writing\n');
const t = performance.now();
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
writeRendered(ws.renderedDir, changes);
release();
process.stdout.write(`done ${(performance.now() - t).toFixed(1)}\n`);
await killer?.terminate();
