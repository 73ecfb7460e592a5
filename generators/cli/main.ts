/**
 * The gitops-bridge command line. `npm run render`, `npm run check` and the other npm scripts
 * call into here; every command has --help.
 */
import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import type { Io } from './io.js';
import { reportError } from './report.js';

export type { Io } from './io.js';

type Register = (program: Command, io: Io) => void;

/**
 * The commands, each loaded when needed: a command's module brings its dependencies (the git
 * layer, the diff formats, the Pulumi Automation API...), and Node start-up is part of every run.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  render: async () => (await import('./commands/render.js')).registerRender,
  check: async () => (await import('./commands/check.js')).registerCheck,
  diff: async () => (await import('./commands/diff.js')).registerDiff,
  'rendered-commit': async () => (await import('./commands/rendered-commit.js')).registerRenderedCommit,
  'infra-outputs': async () => (await import('./commands/infra-outputs.js')).registerInfraOutputs,
  promote: async () => (await import('./commands/promote.js')).registerPromote,
};

/** The command an argument list runs (after the global options), if it names one. */
function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The program with the command `argv` runs, or with every command (help, usage errors). */
export async function buildProgram(io: Io, argv: string[] = []): Promise<Command> {
  const program = new Command('gitops-bridge')
    .description('Render Pulumi stack outputs and dry app specs into plain Kubernetes manifests for Argo CD')
    .option('--root <dir>', 'project root (default: the nearest directory upwards with manifests/ and package.json)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  const name = commandOf(argv);
  for (const command of name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS)) (await COMMANDS[command]!())(program, io);
  for (const c of program.commands) c.exitOverride().showHelpAfterError();
  return program;
}

/** Runs the CLI and resolves to the exit code: 0 ok, 1 invalid input or stale output, 2 usage. */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = await buildProgram({ ...io, exit: (c) => (code = c) }, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    // --help exits 0; a usage mistake (unknown option, missing command...) exits 2.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    return reportError(e, io.err);
  }
  return code;
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    exit: () => undefined,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
