/** `npm run infra:outputs`: options and output; app/infra-outputs.ts does the work. */
import type { Command } from 'commander';
import { infraOutputsCommand, PULUMI_INSTALL_URL } from '../../app/infra-outputs.js';
import { Workspace } from '../../workspace/workspace.js';
import type { Io } from '../io.js';

interface InfraOutputsOptions {
  stack: string;
  fromJson?: string;
  dryRun?: boolean;
}

export function registerInfraOutputs(program: Command, io: Io): void {
  program
    .command('infra-outputs')
    .description(`write a Pulumi stack's outputs to infra/outputs/<env>.json (the bridge contract), refusing secrets`)
    .requiredOption('-s, --stack <stack>', 'Pulumi stack (the environment name, or org/project/<env>)')
    .option('--from-json <file>', 'read the outputs from a file `pulumi stack output --json` wrote, instead of asking Pulumi')
    .option('--dry-run', 'print the snapshot instead of writing it')
    .addHelpText(
      'after',
      `\nNeeds the Pulumi CLI (${PULUMI_INSTALL_URL}) logged in to the stack's backend, unless --from-json is given.\n\nExamples:\n  npm run infra:outputs -- --stack dev\n  npm run infra:outputs -- --stack myorg/gitops-bridge-infra/prod\n  pulumi stack output --json --stack dev > /tmp/dev.json && npm run infra:outputs -- --stack dev --from-json /tmp/dev.json`,
    )
    .action(async (options: InfraOutputsOptions, cmd: Command) => {
      const { root } = cmd.optsWithGlobals() as { root?: string };
      const r = await infraOutputsCommand(options, { workspace: Workspace.find(root) });
      if (!r.written) {
        io.out(r.text.replace(/\n$/, ''));
        return;
      }
      const c = r.changes;
      io.out(`wrote ${r.file}: ${Object.keys(JSON.parse(r.text) as object).length} outputs (${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed)`);
      for (const k of c.added) io.out(`  + ${k}`);
      for (const k of c.changed) io.out(`  ~ ${k}`);
      for (const k of c.removed) io.out(`  - ${k}`);
      if (c.added.length + c.changed.length + c.removed.length > 0) io.out('next: `npm run render`, then commit the snapshot and rendered/ together');
    });
}
