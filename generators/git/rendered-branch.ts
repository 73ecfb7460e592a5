/**
 * `rendered:commit` without the CLI: turn the project's rendered/ into the next commit of each
 * branch of the layout (layout.ts: the `rendered` branch, or a proposed branch per environment
 * plus the hub's `rendered`), optionally pushed, never checking a branch out and never running git.
 *
 *   1. dry commit = HEAD; refuse uncommitted changes under manifests/, infra/outputs/, rendered/
 *   2. per branch, base = the local tip (with --push: the remote's tip, fetched, when it is
 *      ahead; with neither: refs/remotes/origin/<branch>, as a fresh clone has it)
 *   3. build every branch's commit (commit.ts): all objects written, nothing moved yet
 *   4. per branch, in order (environments first, the hub last): with --push, push first (the
 *      server only fast-forwards), then move the local branch with compare-and-swap from its
 *      starting value; a missing active branch `environment/<env>` is created at the proposed
 *      branch's history (never moved after that)
 *   5. the hydrator note `{"drySha": ...}` on every proposed tip, committed or not (notes.ts),
 *      pushed with a retry when another writer moved the notes ref
 * A crash at any point leaves every ref at its old value or its new one, with all objects.
 */
import { join } from 'node:path';
import { BridgeError } from '../core/errors.js';
import { RENDERED_BRANCH } from '../argocd/settings.js';
import { buildRenderedCommit, readDryCommit, type BuildResult } from './commit.js';
import { gitError } from './errors.js';
import { identities, type IdentityOptions } from './identity.js';
import { planBranches, readLayout, type BranchLayout, type PlannedBranch } from './layout.js';
import { compareAndSwapRef } from './lock.js';
import { addNotes, NOTES_REF } from './notes.js';
import type { Signature } from './object-format.js';
import { ObjectStore } from './object-store.js';
import { hydratorNote } from './provenance.js';
import { fetchTip, pushCommit, remoteTip, remoteTips, type Remote } from './push.js';
import { readHead, readRef, type GitDirs } from './refs.js';
import { findRepository, projectPrefix, remoteUrl, withoutCredentials } from './repo.js';
import { ProvenanceCache, type AppProvenance } from './provenance-cache.js';
import { hashDir } from './tree.js';
import { requestedTree, scanTree, uncommittedChanges, type KnownBlob, type RenderedFiles } from './worktree.js';

export const BRANCH = RENDERED_BRANCH;
export const BRANCH_REF = `refs/heads/${BRANCH}`;
/** The project directories whose state the rendered commit describes. */
export const SOURCE_DIRS = ['manifests', 'infra/outputs', 'rendered'] as const;
/** Attempts at publishing the notes when another writer moves the notes ref in between. */
const NOTE_ATTEMPTS = 6;

export interface RenderedCommitOptions extends IdentityOptions {
  projectRoot: string;
  /** Commit even when manifests/, infra/outputs/ or rendered/ have uncommitted changes. */
  allowDirty?: boolean;
  /** repoURL for the provenance; default: the origin remote's URL without credentials. */
  repoURL?: string;
  /** Push to this remote (fetching its tip first). */
  push?: string;
  /** The branch layout; default: manifests/argocd.yaml's spec.layout (layout.ts). */
  layout?: BranchLayout;
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

export interface BranchOutcome {
  branch: string;
  /** The branch tip after the run. */
  tip: string | undefined;
  /** The commit made, if any. */
  commit: string | undefined;
  build: BuildResult;
  pushed: boolean;
  /** With environment branches: the active branch, when this run created it (at `active.at`). */
  created?: { branch: string; at: string; pushed: boolean };
}

export interface RenderedCommitResult {
  drySha: string;
  layout: BranchLayout;
  /** Every branch written, in the order published (environments first, the hub's `rendered` last). */
  branches: BranchOutcome[];
  /** The hydrator notes: the notes commit now at refs/notes/hydrator.metadata, whether this run made it, and whether it was pushed. */
  notes: { tip: string | undefined; made: boolean; pushed: boolean; noted: number };
  /** The first branch's tip, commit, build and push (the `rendered` branch in the single-branch layout). */
  tip: string | undefined;
  commit: string | undefined;
  build: BuildResult;
  pushed: boolean;
}

const short = (oid: string | undefined) => (oid ? oid.slice(0, 7) : '(none)');

interface Work {
  dirs: GitDirs;
  store: ObjectStore;
  o: RenderedCommitOptions;
  /** The remote when pushing: one Remote per ref, from this. */
  remote?: Omit<Remote, 'ref'>;
  /** The remote's tips of the refs this run writes. */
  remoteTips: Map<string, string>;
}

export async function commitRenderedBranch(o: RenderedCommitOptions): Promise<RenderedCommitResult> {
  const dirs = findRepository(o.projectRoot);
  const prefix = projectPrefix(dirs, o.projectRoot);
  const head = readHead(dirs);
  const layout = o.layout ?? readLayout(o.projectRoot);
  if (!head.oid && head.branch !== BRANCH_REF) {
    throw new BridgeError({ code: 'usage', message: `${head.branch ?? 'HEAD'} has no commit yet`, hint: 'commit manifests/, infra/outputs/ and rendered/ first: the rendered commit records the commit it was made from' });
  }
  const store = new ObjectStore(dirs.commondir);
  const rendered = hashDir(o.rendered ? requestedTree(o.rendered) : scanTree(join(o.projectRoot, 'rendered'), o.knownBlobs));
  const plan = planBranches(layout, rendered);
  const written = new Set(plan.flatMap((b) => [b.ref, ...(b.active ? [b.active.ref] : [])]));
  if (head.branch && written.has(head.branch)) {
    const name = head.branch.replace('refs/heads/', '');
    throw new BridgeError({ code: 'usage', message: `HEAD is the ${name} branch itself`, hint: `check out the source branch (main) and run the command there; rendered:commit never needs ${name} checked out` });
  }
  const dry = await readDryCommit(store, head.oid!);

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
  const work: Work = { dirs, store, o, remoteTips: new Map() };
  if (o.push !== undefined) {
    const url = await remoteUrl(dirs, o.push);
    if (!url) throw new BridgeError({ code: 'usage', message: `no remote named "${o.push}"`, hint: 'pass --push <remote> with a configured remote (git remote -v)' });
    work.remote = { dirs, store, name: o.push, url, env: o.env };
    work.remoteTips = await remoteTips({ ...work.remote, ref: BRANCH_REF }, [...written, NOTES_REF]);
  }

  // Build every branch's commit (objects written, no ref moved) ...
  const provenance = ProvenanceCache.load(dirs.commondir);
  const built: { planned: PlannedBranch; localTip: string | undefined; remoteAt: string | undefined; base: string | undefined; build: BuildResult }[] = [];
  const recorded = new Map<string, AppProvenance>();
  for (const planned of plan) {
    const localTip = readRef(dirs, planned.ref);
    const { base, remoteAt } = await baseOf(work, planned.ref, localTip);
    const build = await buildRenderedCommit({ store, rendered: planned.content, apps: planned.apps, dry, repoURL, projectPrefix: prefix, parent: base, author, committer, provenance });
    for (const [tree, p] of build.provenance) recorded.set(tree, p);
    built.push({ planned, localTip, remoteAt, base, build });
  }
  provenance.replace(recorded);
  saveQuietly(provenance);

  // ... then publish them one by one: the remote first (it only fast-forwards), then the local branch.
  const branches: BranchOutcome[] = [];
  for (const { planned, localTip, remoteAt, base, build } of built) {
    const next = build.commit ?? base;
    const pushed = next ? await moveBranch(work, planned.ref, localTip, remoteAt, next, build.commit ? `rendered:commit: ${short(dry.sha)}` : `rendered:commit: fast-forward to ${short(next)}`, committer) : false;
    const outcome: BranchOutcome = { branch: planned.branch, tip: next, commit: build.commit, build, pushed };
    // The active branch is created once, at the proposed branch's history, and never written again.
    if (planned.active && next) {
      const exists = readRef(dirs, planned.active.ref) ?? readRef(dirs, `refs/remotes/${o.push ?? 'origin'}/${planned.active.branch}`) ?? work.remoteTips.get(planned.active.ref);
      if (!exists) {
        const at = base ?? next;
        const activePushed = await moveBranch(work, planned.active.ref, undefined, undefined, at, `rendered:commit: created from ${planned.branch}`, committer);
        outcome.created = { branch: planned.active.branch, at, pushed: activePushed };
      }
    }
    branches.push(outcome);
  }

  // The hydrator note on every proposed tip, changed or not.
  const tips = new Map<string, string>();
  for (const b of branches) if (b.tip && plan.find((p) => p.branch === b.branch)!.proposed) tips.set(b.tip, hydratorNote(dry.sha));
  const notes = await publishNotes(work, tips, committer);
  const first = branches[0]!;
  return { drySha: dry.sha, layout, branches, notes: { ...notes, noted: tips.size }, tip: first.tip, commit: first.commit, build: first.build, pushed: first.pushed };
}

/** What to build `ref` on: the local tip; with --push the remote's when it is ahead; with neither, origin's tracking ref. */
async function baseOf(work: Work, ref: string, localTip: string | undefined): Promise<{ base: string | undefined; remoteAt: string | undefined }> {
  const branch = ref.replace('refs/heads/', '');
  if (work.remote) {
    let remoteAt = work.remoteTips.get(ref);
    if (remoteAt) remoteAt = await fetchTip({ ...work.remote, ref }, remoteAt, localTip === undefined);
    return { base: await chooseBase(work.store, branch, localTip, remoteAt, work.remote.name), remoteAt };
  }
  if (localTip) return { base: localTip, remoteAt: undefined };
  const tracking = readRef(work.dirs, `refs/remotes/origin/${branch}`);
  if (tracking) work.o.log(`no local ${branch} branch: continuing origin/${branch} (${short(tracking)})`);
  return { base: tracking, remoteAt: undefined };
}

/**
 * Moves `ref` to `next`: pushed first when there is a remote and it is not there yet (the
 * server only fast-forwards, or creates a ref that does not exist), then the local ref by
 * compare-and-swap from `localTip`. Returns whether it pushed.
 */
async function moveBranch(work: Work, ref: string, localTip: string | undefined, remoteAt: string | undefined, next: string, message: string, who: Signature): Promise<boolean> {
  let pushed = false;
  if (work.remote && next !== remoteAt) {
    await pushCommit({ ...work.remote, ref }, next);
    pushed = true;
  }
  if (next !== localTip) {
    try {
      compareAndSwapRef(work.dirs, { ref, expected: localTip, next, log: { who, message } });
    } catch (e) {
      if (!pushed || !(e instanceof BridgeError)) throw e;
      const branch = ref.replace('refs/heads/', '');
      throw new BridgeError({ ...e.toJSON(), message: `pushed ${short(next)} to ${work.o.push}/${branch}, but the local branch could not follow: ${e.message}`, hint: `the remote is up to date; run \`git branch -f ${branch} ${work.o.push}/${branch}\` once the other process is done` });
    }
  }
  return pushed;
}

/**
 * Adds `notes` (commit -> text) to refs/notes/hydrator.metadata and publishes the result: on the
 * remote's notes when pushing (the remote is authoritative, as Argo CD's commit server fetches
 * them with +), else on the local ref. When another writer moved the notes in between (a push
 * rejected, a compare-and-swap lost), the notes are built again on the new tip, a few times with
 * a growing pause, as Argo CD's commit server retries.
 */
async function publishNotes(work: Work, notes: ReadonlyMap<string, string>, who: Signature): Promise<{ tip: string | undefined; made: boolean; pushed: boolean }> {
  let made = false;
  let pushed = false;
  for (let attempt = 1; ; attempt++) {
    const local = readRef(work.dirs, NOTES_REF);
    let remoteAt: string | undefined;
    if (work.remote) {
      remoteAt = attempt === 1 ? work.remoteTips.get(NOTES_REF) : await remoteTip({ ...work.remote, ref: NOTES_REF });
      if (remoteAt) remoteAt = await fetchTip({ ...work.remote, ref: NOTES_REF }, remoteAt, local === undefined);
    }
    const base = remoteAt ?? local;
    try {
      const next = (await addNotes({ dirs: work.dirs, store: work.store, base, notes, who })) ?? base;
      made ||= next !== base;
      if (work.remote && next && next !== remoteAt) {
        await pushCommit({ ...work.remote, ref: NOTES_REF }, next);
        pushed = true;
      }
      if (next && next !== local) compareAndSwapRef(work.dirs, { ref: NOTES_REF, expected: local, next });
      return { tip: next, made, pushed };
    } catch (e) {
      const raced = e instanceof BridgeError && (e.code === 'git-push-rejected' || e.code === 'git-ref-moved');
      if (!raced || attempt >= NOTE_ATTEMPTS) throw e;
      await new Promise((done) => setTimeout(done, 25 * 2 ** attempt + Math.floor(Math.random() * 25)));
    }
  }
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
async function chooseBase(store: ObjectStore, branch: string, local: string | undefined, remote: string | undefined, remoteName: string): Promise<string | undefined> {
  if (!remote || !local || local === remote) return local ?? remote;
  if (await store.isAncestor(local, remote)) return remote;
  if (await store.isAncestor(remote, local)) return local;
  throw gitError(
    'git-diverged',
    `the local ${branch} branch (${short(local)}) and ${remoteName}/${branch} (${short(remote)}) have diverged; the branch only moves forward`,
    `if the local commits were never meant to be published, reset the local branch to the remote's (git branch -f ${branch} ${remoteName}/${branch}) and run again`,
  );
}
