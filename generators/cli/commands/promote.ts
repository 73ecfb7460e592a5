import type { Command } from 'commander';
import { imageReference, promoteCommand } from '../../app/promote.js';
import { colourWanted, formatTerminal } from '../../diff/format-terminal.js';
import { cliDeps, collect, type CommonOptions } from '../deps.js';
import type { Io } from '../io.js';
import { countsOf } from '../report.js';

interface PromoteOptions extends CommonOptions {
  from: string;
  to: string;
  all?: boolean;
  field?: string;
}

const HELP = `
Copies what a release changes (the image: tag and digest; --field for another field of the
spec) from the source environment's effective spec (app.yaml with its overlay) into the target
environment's overlay, as the smallest edit (comments and key order kept), renders, and prints
the rendered diff the pull request will show (against rendered/ at HEAD).

Refused, writing nothing: a source environment of a tier the target's spec.promotion.fromTiers
does not list; an image the source never ran (no commit of the branch it deploys from, rendered
or environment/<env>, names it in the app's manifests); a value holding \${...} references.

Examples:
  npm run promote -- --app orders-api --from staging --to prod
  npm run promote -- --all --from dev --to staging
  npm run promote -- --app storefront --from staging --to prod --field config.FEATURE_FLAGS`;

const isImage = (v: unknown): v is { repository: string; tag?: string; digest?: string } => typeof v === 'object' && v !== null && typeof (v as { repository?: unknown }).repository === 'string';
const show = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? v : isImage(v) ? imageReference(v) : JSON.stringify(v));

export function registerPromote(program: Command, io: Io): void {
  program
    .command('promote')
    .description('promote a release from one environment to another on the dry side: edit the target overlay, render, show the diff')
    .requiredOption('--from <env>', 'the environment that runs the release')
    .requiredOption('--to <env>', 'the environment to promote it to')
    .option('-a, --app <app>', 'the apps to promote (repeatable, or comma-separated)', collect)
    .option('--all', 'every app whose field differs between the two environments')
    .option('--field <path>', 'a dotted path under spec instead of the image, e.g. config.FEATURE_FLAGS')
    .addHelpText('after', HELP)
    .action(async (options: PromoteOptions & { app?: string[] }, cmd: Command) => {
      const opts = { ...options, ...cmd.optsWithGlobals() } as PromoteOptions & { app?: string[] };
      const deps = cliDeps({ root: opts.root, quiet: true, label: 'rendering' }, io);
      let r;
      try {
        r = await promoteCommand({ apps: opts.app ?? [], all: opts.all, from: opts.from, to: opts.to, field: opts.field }, deps);
      } finally {
        deps.done();
      }
      for (const p of r.promoted) {
        io.out(`promoted ${p.app} ${r.field} ${show(p.was)} -> ${show(p.from)} from ${opts.from} to ${opts.to}: ${p.created ? 'created' : 'edited'} ${p.file}${p.ranAt ? ` (${opts.from} ran it at ${p.ranAt.slice(0, 7)})` : ''}`);
        for (const e of p.edits) io.out(`  spec.${e.path.join('.')}: ${show(e.value)}`);
      }
      if (r.same.length > 0) io.out(`already the same in ${opts.to}: ${r.same.join(', ')}`);
      if (r.promoted.length === 0) {
        io.out('nothing to promote');
        return;
      }
      if (r.render) io.out(`rendered: ${countsOf(r.render.changes)}`);
      if (r.diff) io.out(formatTerminal(r.diff, { color: colourWanted(process.env, process.stdout.isTTY), context: 3 }).replace(/\n$/, ''));
    });
}
