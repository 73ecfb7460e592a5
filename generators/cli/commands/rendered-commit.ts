import type { Command } from 'commander';
import { commitCommand, StaleRendered } from '../../app/commit.js';
import { NOTES_REF } from '../../git/notes.js';
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
    .description(`commit rendered/ (plus hydrator provenance and notes) to the \`${BRANCH}\` branch, or with layout: environment-branches to environment/<env>-next and \`${BRANCH}\` (the hub), without checking them out; --push publishes them`)
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
      for (const b of r.branches) {
        const x = b.build;
        if (b.commit) {
          const apps = [...x.changedApps.map((a) => `~ ${a}`), ...x.removedApps.map((a) => `- ${a}`)];
          io.out(`committed ${b.commit.slice(0, 7)} to ${b.branch}: ${r.drySha.slice(0, 7)} (${x.written} objects written, ${x.present} already present, ${x.reusedDirs} directories reused)`);
          if (apps.length > 0) io.out(`  apps: ${apps.slice(0, 20).join(', ')}${apps.length > 20 ? `, ... and ${apps.length - 20} more` : ''}`);
        } else {
          io.out(`nothing to commit: rendered/ at ${r.drySha.slice(0, 7)} matches ${b.branch} ${b.tip ? b.tip.slice(0, 7) : ''}`.trimEnd());
        }
        if (b.pushed) io.out(`pushed ${b.tip!.slice(0, 7)} to ${push}/${b.branch}`);
        else if (push) io.out(`${push}/${b.branch} is up to date`);
        if (b.created) io.out(`created ${b.created.branch} at ${b.created.at.slice(0, 7)}${b.created.pushed ? ` (pushed to ${push})` : ''}: promotions move it from now on`);
      }
      const n = r.notes;
      const tips = `${r.notes.noted} proposed ${r.notes.noted === 1 ? 'tip' : 'tips'}`;
      if (n.made) io.out(`noted drySha ${r.drySha.slice(0, 7)} on ${tips} in ${NOTES_REF} (${n.tip!.slice(0, 7)})${n.pushed ? `, pushed to ${push}` : ''}`);
      else io.out(`${NOTES_REF} already notes ${r.drySha.slice(0, 7)} on ${tips}${n.pushed ? `; pushed to ${push}` : ''}`);
    });
}
