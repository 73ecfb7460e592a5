import { InvalidArgumentError, Option, type Command } from 'commander';
import { appendFileSync, readFileSync } from 'node:fs';
import { BridgeError } from '../../core/errors.js';
import { diffCommand } from '../../app/diff.js';
import { formatJson } from '../../diff/format-json.js';
import { COMMENT_MARKER, formatMarkdown } from '../../diff/format-markdown.js';
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
  post?: 'github' | 'gitlab';
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

Posting (in CI):
  --post github     post the markdown as a comment on the pull request, or edit the one posted
                    before (found by its hidden marker): one comment per pull request. Reads
                    GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request) and
                    the token GITHUB_TOKEN (permission pull-requests: write). A fork's pull request
                    is not commented on: its diff goes to the job summary (GITHUB_STEP_SUMMARY).
  --post gitlab     the same as a merge-request note: reads CI_API_V4_URL, CI_PROJECT_ID,
                    CI_MERGE_REQUEST_IID and the token GITLAB_TOKEN (a project access token, scope
                    api, role Reporter); a fork's pipeline posts nothing.
  Rate limits and server errors are retried with backoff; the token is never printed. Standard
  output still carries the diff in --format; what was posted is said on standard error.

Exit status:
  0  compared (with or without changes)
  1  only with --exit-code: there are changes
  2  any error: a bad ref, a usage mistake, or invalid manifests. Unlike render and check
     (which exit 1 on invalid input), diff keeps 1 for "there are changes", as git diff does.

Examples:
  npm run diff
  npm run diff -- --base origin/main --format markdown
  npm run diff -- --base origin/rendered --exit-code
  npm run diff -- --env prod --format json
  FORCE_COLOR=1 npm run diff -- --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --post gitlab`;

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
    .addOption(new Option('--post <forge>', 'also post the markdown diff as the pull-request comment (github) or merge-request note (gitlab), editing the one posted before').choices(['github', 'gitlab']))
    .addHelpText('after', HELP)
    .action(async (options: DiffOptions, cmd: Command) => {
      const opts = { ...options, ...cmd.optsWithGlobals() } as DiffOptions;
      let deps: ReturnType<typeof cliDeps> | undefined;
      try {
        // Where to post is known (or refused) before anything is rendered.
        const poster = opts.post ? await posterFor(opts.post, io) : undefined;
        deps = cliDeps({ root: opts.root, quiet: opts.format !== 'terminal', label: 'rendering' }, io);
        const report = await diffCommand({ base: opts.base, env: opts.env, app: opts.app }, deps);
        deps.done();
        await poster?.(formatMarkdown(report, { context: opts.context, limit: poster.limit }));
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

/** The forge's comment target from its CI variables, and a function that posts a markdown body there. */
async function posterFor(forge: 'github' | 'gitlab', io: Io): Promise<((markdown: string) => Promise<void>) & { limit: number }> {
  const { commentTarget, upsertComment } = await import('../../forge/comment.js');
  const { systemHttp } = await import('../../forge/http.js');
  const env = process.env;
  let event;
  if (forge === 'github' && env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as object;
    } catch (e) {
      throw new BridgeError({ code: 'forge-env', message: `--post github: cannot read the event in GITHUB_EVENT_PATH: ${(e as Error).message}`, file: env.GITHUB_EVENT_PATH, hint: 'run it in a GitHub Actions job, which writes this file' });
    }
  }
  const target = commentTarget(forge, env, { ...systemHttp, log: io.err }, event);
  const post = async (markdown: string) => {
    if (target.fork) {
      io.err(`not posted to ${target.describe}: ${target.fork}`);
      if (forge === 'github' && env.GITHUB_STEP_SUMMARY) {
        appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
        io.err('the diff is in the job summary');
      }
      return;
    }
    const r = await upsertComment(target, markdown, COMMENT_MARKER);
    const what = forge === 'github' ? 'comment' : 'note';
    io.err(r.action === 'unchanged' ? `${what} ${r.id} on ${target.describe} already shows this diff` : `${r.action} ${what} ${r.id} on ${target.describe}`);
  };
  return Object.assign(post, { limit: target.limit });
}

function contextLines(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InvalidArgumentError('expected a whole number of lines (0-1000)');
  return n;
}
