import { InvalidArgumentError, Option, type Command } from 'commander';
import { diffCommand } from '../../app/diff.js';
import { formatJson } from '../../diff/format-json.js';
import { formatMarkdown } from '../../diff/format-markdown.js';
import { colourWanted, formatTerminal } from '../../diff/format-terminal.js';
import { hasDifferences } from '../../diff/model.js';
import { cliDeps, collect, type CommonOptions } from '../deps.js';
import { reportError } from '../report.js';
import type { Io } from '../io.js';

interface DiffOptions extends CommonOptions {
  base: string;
  format: 'terminal' | 'markdown' | 'json';
  exitCode?: boolean;
  context: number;
}

const HELP = `
Compares a render (manifests/ and infra/outputs/ as they are in the working tree, rendered and
checked as \`render\` does) with the manifests of a base, resource by resource: parsed objects
are compared, so key order, quoting and formatting never show as changes. Nothing is written
under rendered/.

Base:
  default           rendered/ as committed at HEAD
  --base <ref>      rendered/ at that branch, tag or commit (HEAD~1, main, origin/main, a SHA)
  --base rendered   the root of the \`rendered\` branch (also origin/rendered, or any commit of
                    it); its provenance files (hydrator.metadata, README.md, .gitattributes)
                    are ignored

Formats:
  terminal  per environment and app, coloured unified YAML diffs (colour only on a terminal;
            NO_COLOR turns it off, FORCE_COLOR forces it)
  markdown  a pull-request comment: risky changes first, a summary table, one collapsible
            block per app; always under GitHub's 65,536-character limit
  json      machine-readable, described by schemas/diff.schema.json

Exit status:
  0  compared (with or without changes)
  1  only with --exit-code: there are changes
  2  any error: a bad ref, a usage mistake, or invalid manifests. Unlike render and check
     (which exit 1 on invalid input), diff keeps 1 for "there are changes", as git diff does.

Examples:
  npm run diff
  npm run diff -- --base origin/main --format markdown
  npm run diff -- --base origin/rendered --exit-code
  npm run diff -- --env prod --format json`;

export function registerDiff(program: Command, io: Io): void {
  program
    .command('diff')
    .description('show what a render would change against rendered/ at HEAD, another ref, or the rendered branch (writes nothing)')
    .option('--base <ref>', 'what to compare with: rendered/ at this git ref, or the rendered branch', 'HEAD')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['terminal', 'markdown', 'json']).default('terminal'))
    .option('--exit-code', 'exit 1 when there are changes (like git diff --exit-code)')
    .option('-e, --env <env>', 'only these environments (repeatable, or comma-separated)', collect)
    .option('-a, --app <app>', 'only these apps (repeatable, or comma-separated)', collect)
    .option('-U, --context <lines>', 'lines of context around each change in YAML diffs', contextLines, 3)
    .addHelpText('after', HELP)
    .action(async (options: DiffOptions, cmd: Command) => {
      const opts = { ...options, ...cmd.optsWithGlobals() } as DiffOptions;
      let deps: ReturnType<typeof cliDeps> | undefined;
      try {
        deps = cliDeps({ root: opts.root, quiet: opts.format !== 'terminal', label: 'rendering' }, io);
        const report = await diffCommand({ base: opts.base, env: opts.env, app: opts.app }, deps);
        deps.done();
        const text =
          opts.format === 'json'
            ? formatJson(report)
            : opts.format === 'markdown'
              ? formatMarkdown(report, { context: opts.context })
              : formatTerminal(report, { color: colourWanted(process.env, process.stdout.isTTY), context: opts.context });
        io.out(text.replace(/\n$/, ''));
        if (opts.exitCode && hasDifferences(report)) io.exit(1);
      } catch (e) {
        deps?.done();
        reportError(e, io.err);
        io.exit(2);
      }
    });
}

function contextLines(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InvalidArgumentError('expected a whole number of lines (0-1000)');
  return n;
}
