import type { Command } from 'commander';
import { checkCommand, type CheckOutcome } from '../../app/check.js';
import { checkSummary, formatOption, jsonReport, printCheck, printFailure, type OutputFormat } from '../check-report.js';
import { cliDeps, collect, type CommonOptions } from '../deps.js';
import type { Io } from '../io.js';
import { countsOf, listChanges } from '../report.js';

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
      const opts = { ...options, ...cmd.optsWithGlobals() };
      let r: CheckOutcome;
      const deps = cliDeps({ root: opts.root, label: 'checking' }, io);
      try {
        r = await checkCommand({ env: opts.env, app: opts.app, cache: opts.cache }, deps);
      } catch (e) {
        deps.done();
        printFailure(e, options.format, io);
        throw e;
      }
      deps.done();
      if (options.format === 'json') {
        io.out(JSON.stringify(jsonReport(r.check, r.changes), null, 2));
        for (const v of r.check.violations) io.err(`warning: [${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`);
        if (r.stale) {
          io.err(`rendered/ is stale: ${countsOf(r.changes)}; run \`npm run render\` and commit rendered/`);
          io.exit(1);
        }
        return;
      }
      printCheck(r.check, io);
      if (r.stale) {
        io.err(`rendered/ is stale: ${countsOf(r.changes)}`);
        listChanges(r.changes, io.err);
        io.err('run `npm run render` and commit rendered/');
        io.exit(1);
        return;
      }
      io.out(`rendered/ is up to date (${r.summary.objects} resources in ${r.summary.environments.length} environments); ${checkSummary(r.check)}`);
    });
}
