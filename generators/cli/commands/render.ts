import type { Command } from 'commander';
import { renderCommand, type RenderOutcome } from '../../app/render.js';
import { checkSummary, formatOption, jsonReport, printCheck, printFailure, type OutputFormat } from '../check-report.js';
import { cliDeps, collect, type CommonOptions } from '../deps.js';
import { expectDirectory } from '../fs-fault.js';
import type { Io } from '../io.js';
import { countsOf, listChanges } from '../report.js';

export function registerRender(program: Command, io: Io): void {
  program
    .command('render')
    .description('render manifests/ + infra/outputs/ into rendered/<env>/<app>/ (atomically; nothing is written on error or mandatory policy violation)')
    .option('-e, --env <env>', 'only these environments (repeatable, or comma-separated)', collect)
    .option('-a, --app <app>', 'only these apps (repeatable, or comma-separated); other files are left as they are', collect)
    .option('--dry-run', 'show what would change without writing')
    .option('-q, --quiet', 'print nothing on success (warnings still go to stderr)')
    .option('--no-cache', 'render everything afresh: neither read nor write the cache in .cache/gitops-bridge/')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  npm run render\n  npm run render -- --env prod --app orders-api\n  npm run render -- --dry-run')
    .action(async (options: CommonOptions & { dryRun?: boolean; quiet?: boolean; cache: boolean; format: OutputFormat }, cmd: Command) => {
      const opts = { ...options, ...cmd.optsWithGlobals() };
      let r: RenderOutcome;
      const deps = cliDeps({ root: opts.root, quiet: opts.quiet, label: 'rendering' }, io);
      try {
        if (!opts.dryRun) expectDirectory(deps.workspace.renderedDir, 'rendered/');
        r = await renderCommand({ env: opts.env, app: opts.app, cache: opts.cache, dryRun: opts.dryRun }, deps);
      } catch (e) {
        deps.done();
        printFailure(e, options.format, io);
        throw e;
      }
      deps.done();
      if (options.format === 'json') {
        io.out(JSON.stringify(jsonReport(r.check, r.changes), null, 2));
        for (const v of r.check.violations) io.err(`warning: [${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`);
        return;
      }
      printCheck(r.check, io, { quiet: options.quiet });
      if (options.quiet) return;
      const s = r.summary;
      io.out(
        `${r.written ? 'rendered' : 'would render'} ${s.environments.length} environment${s.environments.length === 1 ? '' : 's'} (${s.environments.join(', ')}), ${s.apps} app${s.apps === 1 ? '' : 's'} (${s.deployments} deployment${s.deployments === 1 ? '' : 's'}), ${s.objects} resources into rendered/: ${countsOf(r.changes)}`,
      );
      listChanges(r.changes, io.out);
      io.out(checkSummary(r.check));
    });
}
