import type { Command } from 'commander';
import { hasChanges } from '../../engine/changes.js';
import { checkSummary, formatOption, jsonReport, printCheck, printFailure, type OutputFormat } from '../check-report.js';
import { collect, renderWithFeedback, type CommonOptions, type RenderRun } from '../project.js';
import { countsOf, listChanges } from '../report.js';
import type { Io } from '../main.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('validate the inputs, check every rendered object (Kubernetes schema, policies) and fail (exit 1) when rendered/ is not what `render` would write')
    .option('-e, --env <env>', 'only these environments (repeatable, or comma-separated)', collect)
    .option('-a, --app <app>', 'only these apps (repeatable, or comma-separated)', collect)
    .option('--no-cache', 'render everything afresh: neither read nor write the cache in .cache/gitops-bridge/')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nMandatory policy violations and Kubernetes schema errors exit 1; advisory ones print warnings.\n' +
        'Exemptions (manifests/<apps|addons>/<app>/exemptions.yaml) are listed.\n' +
        '\nExamples:\n  npm run check\n  npm run check -- --env prod\n  npm run check -- --format json > check.json',
    )
    .action(async (options: CommonOptions & { cache: boolean; format: OutputFormat }, cmd: Command) => {
      let run: RenderRun;
      try {
        run = await renderWithFeedback({ ...options, ...cmd.optsWithGlobals() }, io, 'checking');
      } catch (e) {
        printFailure(e, options.format, io);
        throw e;
      }
      run.save(false);
      const stale = hasChanges(run.changes);
      if (options.format === 'json') {
        io.out(JSON.stringify(jsonReport(run.check, run.changes), null, 2));
        for (const v of run.check.violations) io.err(`warning: [${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`);
        if (stale) {
          io.err(`rendered/ is stale: ${countsOf(run.changes)}; run \`npm run render\` and commit rendered/`);
          io.exit(1);
        }
        return;
      }
      printCheck(run.check, io);
      if (stale) {
        io.err(`rendered/ is stale: ${countsOf(run.changes)}`);
        listChanges(run.changes, io.err);
        io.err('run `npm run render` and commit rendered/');
        io.exit(1);
        return;
      }
      io.out(`rendered/ is up to date (${run.result.objects} resources in ${run.result.environments.length} environments); ${checkSummary(run.check)}`);
    });
}
