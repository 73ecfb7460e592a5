import type { Command } from 'commander';
import { hasChanges } from '../../write/diff.js';
import { collect, renderProject, type CommonOptions } from '../project.js';
import { countsOf, listChanges } from '../report.js';
import type { Io } from '../main.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('validate the inputs and fail (exit 1) when rendered/ is not what `render` would write')
    .option('-e, --env <env>', 'only these environments (repeatable, or comma-separated)', collect)
    .option('-a, --app <app>', 'only these apps (repeatable, or comma-separated)', collect)
    .addHelpText('after', '\nExamples:\n  npm run check\n  npm run check -- --env prod')
    .action((options: CommonOptions, cmd: Command) => {
      const run = renderProject({ ...options, ...cmd.optsWithGlobals() });
      if (hasChanges(run.changes)) {
        io.err(`rendered/ is stale: ${countsOf(run.changes)}`);
        listChanges(run.changes, io.err);
        io.err('run `npm run render` and commit rendered/');
        io.exit(1);
        return;
      }
      io.out(`rendered/ is up to date (${run.result.objects} resources in ${run.result.environments.length} environments)`);
    });
}
