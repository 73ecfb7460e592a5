import type { Command } from 'commander';
import { commitCommand, StaleRendered } from '../../app/commit.js';
import { BRANCH } from '../../git/rendered-branch.js';
import { cliDeps } from '../deps.js';
import type { Io } from '../io.js';
import { countsOf, listChanges } from '../report.js';

interface Options {
  push?: string | boolean;
  allowDirty?: boolean;
  repoUrl?: string;
  author?: string;
  committer?: string;
  root?: string;
}

export function registerRenderedCommit(program: Command, io: Io): void {
  program
    .command('rendered-commit')
    .description(`commit rendered/ (plus hydrator provenance) to the \`${BRANCH}\` branch without checking it out; --push publishes it`)
    .option('--push [remote]', 'fetch the remote\'s rendered branch, build on its tip and push (default remote: origin); token from GITOPS_BRIDGE_GIT_TOKEN or GITHUB_TOKEN')
    .option('--allow-dirty', 'commit even when manifests/, infra/outputs/ or rendered/ have uncommitted changes')
    .option('--repo-url <url>', 'repository URL for hydrator.metadata (default: the origin remote, credentials removed)')
    .option('--author <ident>', 'commit author "Name <email>" (default: GIT_AUTHOR_NAME/EMAIL, else gitops-bridge)')
    .option('--committer <ident>', 'committer "Name <email>" (default: GIT_COMMITTER_NAME/EMAIL, else the author)')
    .addHelpText(
      'after',
      '\nThe commit is made from HEAD (the dry commit) and refused when rendered/ is stale or the inputs have uncommitted changes.\n' +
        'Examples:\n  npm run rendered:commit\n  npm run rendered:commit -- --push\n  GITOPS_BRIDGE_GIT_TOKEN=... npm run rendered:commit -- --push upstream',
    )
    .action(async (options: Options, cmd: Command) => {
      const all = { ...options, ...cmd.optsWithGlobals() } as Options;
      const push = all.push === undefined || all.push === false ? undefined : all.push === true ? 'origin' : all.push;
      const deps = cliDeps({ root: all.root, label: 'checking rendered/' }, io);
      let r;
      try {
        r = await commitCommand({ push, allowDirty: all.allowDirty, repoURL: all.repoUrl, author: all.author, committer: all.committer, env: process.env }, { ...deps, log: io.out });
      } catch (e) {
        deps.done();
        if (e instanceof StaleRendered) {
          io.err(`rendered/ is stale: ${countsOf(e.changes)}`);
          listChanges(e.changes, io.err);
        }
        throw e;
      }
      deps.done();
      const b = r.build;
      if (r.commit) {
        const apps = [...b.changedApps.map((a) => `~ ${a}`), ...b.removedApps.map((a) => `- ${a}`)];
        io.out(`committed ${r.commit.slice(0, 7)} to ${BRANCH}: ${r.drySha.slice(0, 7)} (${b.written} objects written, ${b.present} already present, ${b.reusedDirs} directories reused)`);
        if (apps.length > 0) io.out(`  apps: ${apps.slice(0, 20).join(', ')}${apps.length > 20 ? `, ... and ${apps.length - 20} more` : ''}`);
      } else {
        io.out(`nothing to commit: rendered/ at ${r.drySha.slice(0, 7)} matches ${BRANCH} ${r.tip ? r.tip.slice(0, 7) : ''}`.trimEnd());
      }
      if (r.pushed) io.out(`pushed ${r.tip!.slice(0, 7)} to ${push}/${BRANCH}`);
      else if (push) io.out(`${push}/${BRANCH} is up to date`);
    });
}
