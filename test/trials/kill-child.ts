/**
 * The process the kill trials kill (kill-harness.ts): in project `root`, takes the lock as a
 * command does (recovering first), then changes rendered/ from the old tree to the new one
 * through the real writer; prints "writing" just before the write starts and "done" after.
 */
import { Workspace } from '../../generators/workspace/workspace.js';
import { writeRendered } from '../../generators/workspace/rendered-writer.js';
import { compareTrees, readTree, treeOf } from './kill-trees.js';

const [root, which] = process.argv.slice(2);
const ws = new Workspace(root!);
const release = await ws.lock('render');
const target = treeOf(which === 'old' ? 'old' : 'new');
const changes = compareTrees(readTree(ws.renderedDir), target);
process.stdout.write('writing\n');
writeRendered(ws.renderedDir, changes);
release();
process.stdout.write('done\n');
