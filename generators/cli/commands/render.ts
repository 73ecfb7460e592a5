import type { Command } from 'commander';
import { writeRendered } from '../../workspace/rendered-writer.js';
import { renderedDir } from '../../workspace/rendered-writer.js';
import { checkSummary, formatOption, jsonReport, printCheck, printFailure, type OutputFormat } from '../check-report.js';
import { collect, renderWithFeedback, type CommonOptions, type RenderRun } from '../project.js';
import { countsOf, listChanges } from '../report.js';
import type { Io } from '../main.js';

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
      let run: RenderRun;
      try {
        run = await renderWithFeedback({ ...options, ...cmd.optsWithGlobals(), write: !options.dryRun }, io);
      } catch (e) {
        printFailure(e, options.format, io);
        throw e;
      }
      const written = performance.now();
      if (!options.dryRun) writeRendered(renderedDir(run.root), run.changes, run.staged);
      if (process.env.GITOPS_BRIDGE_TIMINGS && process.env.GITOPS_BRIDGE_TIMINGS !== '0') io.err(`timing: write rendered/ ${Math.round(performance.now() - written)} ms`);
      run.save(!options.dryRun);
      if (options.format === 'json') {
        io.out(JSON.stringify(jsonReport(run.check, run.changes), null, 2));
        for (const v of run.check.violations) io.err(`warning: [${v.policy}] ${v.file} at ${v.pointer || '/'}: ${v.message}`);
        return;
      }
      printCheck(run.check, io, { quiet: options.quiet });
      if (options.quiet) return;
      const r = run.result;
      io.out(
        `${options.dryRun ? 'would render' : 'rendered'} ${r.environments.length} environment${r.environments.length === 1 ? '' : 's'} (${r.environments.join(', ')}), ${r.apps} app${r.apps === 1 ? '' : 's'} (${r.deployments} deployment${r.deployments === 1 ? '' : 's'}), ${r.objects} resources into rendered/: ${countsOf(run.changes)}`,
      );
      listChanges(run.changes, io.out);
      io.out(checkSummary(run.check));
    });
}
