/**
 * The process crash.test.ts kills: rendered-commit's git write path, as the CLI runs it after
 * its rendered/ check (commands/rendered-commit.ts calls commitRenderedBranch the same way).
 * The test runs that check once per scenario with the real CLI instead of in every killed
 * process: it renders the whole fleet and writes nothing, so killing it proves nothing, and it
 * cost most of each process's time.
 *
 * crash.test.ts runs it compiled to JavaScript (no loader to start); by hand:
 *   node --import tsx test/git/crash-child.ts <project root> [--allow-dirty]
 */
import { commitRenderedBranch } from '../../generators/git/rendered-branch.js';

const [projectRoot, ...flags] = process.argv.slice(2);
if (!projectRoot) throw new Error('usage: crash-child.ts <project root> [--allow-dirty]');
await commitRenderedBranch({ projectRoot, allowDirty: flags.includes('--allow-dirty'), env: process.env, log: () => undefined });
