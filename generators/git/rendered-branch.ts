/**
 * `rendered:commit` without the CLI: turn the project's rendered/ into the next commit of the
 * `rendered` branch (optionally pushed), never checking the branch out and never running git.
 *
 *   1. dry commit = HEAD; refuse uncommitted changes under manifests/, infra/outputs/, rendered/
 *   2. base = the local branch tip (with --push: the remote's tip, fetched, when it is ahead;
 *      with neither: refs/remotes/origin/rendered, as a fresh clone has it)
 *   3. build the commit (commit.ts): all objects written, nothing moved yet
 *   4. without --push: move the local branch with compare-and-swap from its starting value
 *      with --push: push first (the server only fast-forwards), then move the local branch
 * A crash at any point leaves the branch at its old tip or its new one, with all objects.
 */
import { join } from 'node:path';
import { BridgeError } from '../core/errors.js';
import { buildRenderedCommit, readDryCommit, type BuildResult } from './commit.js';
import { gitError } from './errors.js';
import { identities, type IdentityOptions } from './identity.js';
import { compareAndSwapRef } from './lock.js';
import { ObjectStore } from './object-store.js';
import { fetchTip, pushCommit, remoteTip, type Remote } from './push.js';
import { readHead, readRef, type GitDirs } from './refs.js';
import { findRepository, projectPrefix, remoteUrl, withoutCredentials } from './repo.js';
import { ProvenanceCache } from './provenance-cache.js';
import { hashDir } from './tree.js';
import { requestedTree, scanTree, uncommittedChanges, type KnownBlob, type RenderedFiles } from './worktree.js';

export const BRANCH = 'rendered';
export const BRANCH_REF = `refs/heads/${BRANCH}`;
/** The project directories whose state the rendered commit describes. */
export const SOURCE_DIRS = ['manifests', 'infra/outputs', 'rendered'] as const;

export interface RenderedCommitOptions extends IdentityOptions {
  projectRoot: string;
  /** Commit even when manifests/, infra/outputs/ or rendered/ have uncommitted changes. */
  allowDirty?: boolean;
  /** repoURL for the provenance; default: the origin remote's URL without credentials. */
  repoURL?: string;
  /** Push to this remote (fetching its tip first). */
  push?: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /**
   * What rendered/ holds, as the render that checked it says (path -> blob id, lazy content):
   * then rendered/ is not scanned here. Without it, rendered/ is scanned, `knownBlobs` vouching
   * for the ids it knows.
   */
  rendered?: RenderedFiles;
  /** Blob ids of rendered/ files known without reading them (the render's file index), when scanning. */
  knownBlobs?: KnownBlob;
}

export interface RenderedCommitResult {
  drySha: string;
  /** The branch tip after the run. */
  tip: string | undefined;
  /** The commit made, if any. */
  commit: string | undefined;
  build: BuildResult;
  pushed: boolean;
}

const short = (oid: string | undefined) => (oid ? oid.slice(0, 7) : '(none)');

export async function commitRenderedBranch(o: RenderedCommitOptions): Promise<RenderedCommitResult> {
  const dirs = findRepository(o.projectRoot);
  const prefix = projectPrefix(dirs, o.projectRoot);
  const head = readHead(dirs);
  if (head.branch === BRANCH_REF) {
    throw new BridgeError({ code: 'usage', message: `HEAD is the ${BRANCH} branch itself`, hint: 'check out the source branch (main) and run the command there; rendered:commit never needs the rendered branch checked out' });
  }
  if (!head.oid) {
    throw new BridgeError({ code: 'usage', message: `${head.branch ?? 'HEAD'} has no commit yet`, hint: 'commit manifests/, infra/outputs/ and rendered/ first: the rendered commit records the commit it was made from' });
  }
  const store = new ObjectStore(dirs.commondir);
  const dry = await readDryCommit(store, head.oid);

  const rendered = hashDir(o.rendered ? requestedTree(o.rendered) : scanTree(join(o.projectRoot, 'rendered'), o.knownBlobs));
  if (rendered.files.size + rendered.dirs.size === 0) {
    throw new BridgeError({ code: 'stale', message: 'rendered/ is empty or missing', file: 'rendered/', hint: 'run `npm run render` and commit rendered/ first' });
  }
  if (!o.allowDirty) {
    const changes = await uncommittedChanges(store, dirs, dry.tree, prefix, SOURCE_DIRS, o.projectRoot, new Map([['rendered', rendered]]));
    if (changes.length > 0) {
      const listed = changes.slice(0, 20).map((c) => `${c.kind} ${c.path}`);
      throw new BridgeError({
        code: 'stale',
        message: `uncommitted changes under ${SOURCE_DIRS.join(', ')}: the rendered commit would not match its dry commit ${short(dry.sha)}\n    ${listed.join('\n    ')}${changes.length > 20 ? `\n    ... and ${changes.length - 20} more` : ''}`,
        hint: 'commit them first (or pass --allow-dirty to commit rendered/ as it is)',
      });
    }
  }

  const repoURL = await resolveRepoURL(dirs, o);
  const { author, committer } = identities(o, o.env, { timestamp: dry.committer.timestamp, offset: dry.committer.offset });
  const localTip = readRef(dirs, BRANCH_REF);

  let base: string | undefined;
  let remote: Remote | undefined;
  let remoteAt: string | undefined;
  if (o.push !== undefined) {
    const url = await remoteUrl(dirs, o.push);
    if (!url) throw new BridgeError({ code: 'usage', message: `no remote named "${o.push}"`, hint: 'pass --push <remote> with a configured remote (git remote -v)' });
    remote = { dirs, store, name: o.push, url, ref: BRANCH_REF, env: o.env };
    remoteAt = await remoteTip(remote);
    if (remoteAt) remoteAt = await fetchTip(remote, remoteAt, localTip === undefined);
    base = await chooseBase(store, localTip, remoteAt, o.push);
  } else {
    base = localTip;
    if (!base) {
      const tracking = readRef(dirs, `refs/remotes/origin/${BRANCH}`);
      if (tracking) {
        o.log(`no local ${BRANCH} branch: continuing origin/${BRANCH} (${short(tracking)})`);
        base = tracking;
      }
    }
  }

  const provenance = ProvenanceCache.load(dirs.commondir);
  const build = await buildRenderedCommit({ store, rendered, dry, repoURL, projectPrefix: prefix, parent: base, author, committer, provenance });
  saveQuietly(provenance);
  const next = build.commit ?? base;
  let pushed = false;
  if (remote && next && next !== remoteAt) {
    await pushCommit(remote, next);
    pushed = true;
  }
  if (next && next !== localTip) {
    const message = build.commit ? `rendered:commit: ${short(dry.sha)}` : `rendered:commit: fast-forward to ${short(next)}`;
    try {
      compareAndSwapRef(dirs, { ref: BRANCH_REF, expected: localTip, next, log: { who: committer, message } });
    } catch (e) {
      if (!pushed || !(e instanceof BridgeError)) throw e;
      throw new BridgeError({ ...e.toJSON(), message: `pushed ${short(next)} to ${o.push}/${BRANCH}, but the local branch could not follow: ${e.message}`, hint: `the remote is up to date; run \`git branch -f ${BRANCH} ${o.push}/${BRANCH}\` once the other process is done` });
    }
  }
  return { drySha: dry.sha, tip: next, commit: build.commit, build, pushed };
}

/** The provenance cache only saves reading: failing to write it must not fail a commit. */
function saveQuietly(cache: ProvenanceCache): void {
  try {
    cache.save();
  } catch {
    // the next run reads the parent's app directories instead
  }
}

async function resolveRepoURL(dirs: GitDirs, o: RenderedCommitOptions): Promise<string> {
  if (o.repoURL) return withoutCredentials(o.repoURL);
  const url = (await remoteUrl(dirs, 'origin')) ?? (o.push ? await remoteUrl(dirs, o.push) : undefined);
  if (!url) {
    throw new BridgeError({ code: 'usage', message: 'no origin remote to take the repository URL from', hint: 'pass --repo-url <url> (it goes into hydrator.metadata and the READMEs)' });
  }
  return withoutCredentials(url);
}

/**
 * What to build on when pushing: the remote is authoritative. A local branch behind it (or
 * absent) continues the remote's history; a local branch ahead of it (commits made without
 * --push) is pushed along; a local branch that diverged is refused, as nothing may move back.
 */
async function chooseBase(store: ObjectStore, local: string | undefined, remote: string | undefined, remoteName: string): Promise<string | undefined> {
  if (!remote || !local || local === remote) return local ?? remote;
  if (await store.isAncestor(local, remote)) return remote;
  if (await store.isAncestor(remote, local)) return local;
  throw gitError(
    'git-diverged',
    `the local ${BRANCH} branch (${short(local)}) and ${remoteName}/${BRANCH} (${short(remote)}) have diverged; the branch only moves forward`,
    `if the local commits were never meant to be published, reset the local branch to the remote's (git branch -f ${BRANCH} ${remoteName}/${BRANCH}) and run again`,
  );
}
