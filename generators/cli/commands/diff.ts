import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadFleet } from '../../load/fleet.js';
import { readSources } from '../../load/sources.js';
import { renderFleet, type RenderResult } from '../../render/pipeline.js';
import { unitOf } from '../../engine/layout.js';
import { readBase } from '../../diff/base.js';
import { compareRendered } from '../../diff/compare.js';
import { formatJson } from '../../diff/format-json.js';
import { formatMarkdown } from '../../diff/format-markdown.js';
import { colourWanted, formatTerminal } from '../../diff/format-terminal.js';
import { hasDifferences } from '../../diff/model.js';
import { collect, findRoot, selectionOf, type CommonOptions } from '../project.js';
import { reportError } from '../report.js';
import type { Io } from '../main.js';

interface DiffOptions extends CommonOptions {
  base: string;
  format: 'terminal' | 'markdown' | 'json';
  exitCode?: boolean;
  context: number;
}

const HELP = `
Compares a fresh in-memory render (manifests/ and infra/outputs/ as they are in the working
tree) with the manifests of a base, resource by resource: parsed objects are compared, so key
order, quoting and formatting never show as changes. Nothing is written.

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
      try {
        const opts = { ...options, ...cmd.optsWithGlobals() } as DiffOptions;
        const root = findRoot(opts.root);
        const fleet = loadFleet(readSources(root));
        const result = renderFleet(fleet, selectionOf(fleet, opts));
        const base = await readBase(root, opts.base, result.files);
        const owned = ownedBy(result);
        const report = compareRendered({
          base: new Map([...base.files].filter(([path]) => owned(path))),
          next: result.files,
          tiers: new Map(fleet.environments.map((e) => [e.name, e.spec.tier])),
          baseInfo: base.info,
        });
        const text =
          opts.format === 'json'
            ? formatJson(report)
            : opts.format === 'markdown'
              ? formatMarkdown(report, { context: opts.context })
              : formatTerminal(report, { color: colourWanted(process.env, process.stdout.isTTY), context: opts.context });
        io.out(text.replace(/\n$/, ''));
        if (opts.exitCode && hasDifferences(report)) io.exit(1);
      } catch (e) {
        reportError(e, io.err);
        io.exit(2);
      }
    });
}

/** The base files this render speaks for: all of them, or only the selected units with --env/--app. */
function ownedBy(result: RenderResult): (path: string) => boolean {
  const envs = new Set(result.environments);
  return (path) => result.complete || result.units.has(unitOf(path, envs));
}

function contextLines(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InvalidArgumentError('expected a whole number of lines (0-1000)');
  return n;
}
