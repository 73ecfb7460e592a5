/**
 * The gitops-bridge command line. `npm run render`, `npm run check` and the other npm scripts
 * call into here; every command has --help.
 */
import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import { registerCheck } from './commands/check.js';
import { registerDiff } from './commands/diff.js';
import { registerInfraOutputs } from './commands/infra-outputs.js';
import { registerRender } from './commands/render.js';
import { registerRenderedCommit } from './commands/rendered-commit.js';
import { reportError } from './report.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  exit(code: number): void;
}

export function buildProgram(io: Io): Command {
  const program = new Command('gitops-bridge')
    .description('Render Pulumi stack outputs and dry app specs into plain Kubernetes manifests for Argo CD')
    .option('--root <dir>', 'project root (default: the nearest directory upwards with manifests/ and package.json)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  registerRender(program, io);
  registerCheck(program, io);
  registerDiff(program, io);
  registerRenderedCommit(program, io);
  registerInfraOutputs(program, io);
  for (const c of program.commands) c.exitOverride().showHelpAfterError();
  return program;
}

/** Runs the CLI and resolves to the exit code: 0 ok, 1 invalid input or stale output, 2 usage. */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram({ ...io, exit: (c) => (code = c) });
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
