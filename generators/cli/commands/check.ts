import type { Command } from 'commander';
import { checkCommand, type CheckOutcome } from '../../app/check.js';
import { checkSummary, formatOption, jsonReport, printCheck, printFailure, type OutputFormat } from '../check-report.js';
import { cliDeps, collect, type CommonOptions } from '../deps.js';
import type { Io } from '../io.js';
import { countsOf, listChanges } from '../report.js';
import { formatExplanation } from '../explain-report.js';

/** --explain: loaded on demand (it renders in this thread, with the generators). */
async function explain(target: string, opts: CommonOptions & { format: OutputFormat }, io: Io): Promise<void> {
  const deps = cliDeps({ root: opts.root, quiet: true, label: 'rendering' }, io);
  try {
    const { explainCommand } = await import('../../app/explain.js');
    const list = await explainCommand({ target, ...(opts.env && { env: opts.env }) }, deps);
    if (opts.format === 'json') io.out(JSON.stringify(list, null, 2));
    else io.out(list.map((x) => formatExplanation(x).join('\n')).join('\n\n'));
  } finally {
    deps.done();
  }
}

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('validate the inputs, check every rendered object (Kubernetes schema, policies) and fail (exit 1) when rendered/ is not what `render` would write')
    .option('-e, --env <env>', 'only these environments (repeatable, or comma-separated)', collect)
    .option('-a, --app <app>', 'only these apps (repeatable, or comma-separated)', collect)
    .option('--no-cache', 'render everything afresh: neither read nor write the cache in .cache/gitops-bridge/')
    .option('--explain <object>', 'explain one rendered object instead: a file under rendered/ or Kind/namespace/name (Kind/name when cluster-scoped)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nMandatory policy violations and Kubernetes schema errors exit 1; advisory ones print warnings.\n' +
        'Exemptions (manifests/<apps|addons>/<app>/exemptions.yaml) are listed.\n' +
        '\n--explain renders the object\'s environment and prints which app and spec files (and lines) produced it,\n' +
        'the fields its overlay set and the overlay patches aimed at it, the exemptions that applied and every check with its result.\n' +
        '\nExamples:\n  npm run check\n  npm run check -- --explain rendered/prod/orders-api/deployment-orders-api.yaml\n  npm run check -- --explain Deployment/orders/orders-api --format json\n  npm run check -- --env prod\n  npm run check -- --format json > check.json',
    )
    .action(async (options: CommonOptions & { cache: boolean; format: OutputFormat; explain?: string }, cmd: Command) => {
      const opts = { ...options, ...cmd.optsWithGlobals() };
      if (opts.explain !== undefined) return await explain(opts.explain, opts, io);
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
