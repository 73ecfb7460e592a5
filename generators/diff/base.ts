/**
 * The I/O edge of `diff`: the base manifests, read from git with isomorphic-git (no git binary
 * needed). By default rendered/ as committed at HEAD; `--base <ref>` reads rendered/ at that
 * ref, or, when the ref is the `rendered` branch (or any commit of it), the tree root minus the
 * provenance files (hydrator.metadata, README.md, .gitattributes).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';
import { BridgeError } from '../core/errors.js';
import type { BaseInfo } from './model.js';

/** Files the commit step adds to the `rendered` branch that are not manifests. */
export const PROVENANCE_FILES = new Set(['hydrator.metadata', 'README.md', '.gitattributes']);

export interface BaseFiles {
  /** Path under rendered/ (or under the branch root) -> text. */
  files: Map<string, string>;
  info: BaseInfo;
}

interface Repo {
  dir: string;
  gitdir: string;
  /** For a linked worktree: its own HEAD file (refs and objects live in the common gitdir). */
  headFile?: string;
  cache: object;
}

const REVISION_HINT = 'give a branch, tag or commit: HEAD, HEAD~1, main, origin/main, rendered, a SHA; in CI, fetch the base first (actions/checkout with fetch-depth: 0)';

/**
 * Reads the base. `known` (path -> text, e.g. the fresh render) lets unchanged blobs be taken
 * from memory when their git hash matches, so only what changed is read from the object store.
 */
export async function readBase(root: string, ref: string, known?: ReadonlyMap<string, string>): Promise<BaseFiles> {
  const repo = await openRepo(root);
  const commit = await resolveRevision(repo, ref);
  const short = commit.slice(0, 7);
  const prefix = relative(repo.dir, resolve(root)).split(sep).filter(Boolean).join('/');
  const renderedPath = prefix ? `${prefix}/rendered` : 'rendered';

  // A `rendered` branch commit: root hydrator.metadata, or a ref named after the branch whose
  // tree has no rendered/ directory. Otherwise rendered/ in the commit, if there is one.
  let layout: BaseInfo['layout'];
  let entries: Map<string, string>;
  const named = /(^|\/)rendered$/.test(splitRevision(ref).name);
  const top = await git.readTree({ fs, gitdir: repo.gitdir, oid: commit, cache: repo.cache }).catch((e: unknown) => {
    throw missingObject(ref, commit, e);
  });
  const provenance = top.tree.some((e) => e.path === 'hydrator.metadata' && e.type === 'blob');
  const inDir = provenance ? undefined : await listTree(repo, commit, renderedPath);
  if (provenance || (named && !inDir)) {
    layout = 'rendered-branch';
    const atRoot = (await listTree(repo, commit, ''))!;
    entries = new Map([...atRoot].filter(([path]) => !PROVENANCE_FILES.has(path.slice(path.lastIndexOf('/') + 1))));
  } else if (inDir) {
    layout = 'rendered-dir';
    entries = inDir;
  } else {
    layout = 'empty';
    entries = new Map();
  }

  const files = new Map<string, string>();
  for (const [path, oid] of entries) {
    const mine = known?.get(path);
    if (mine !== undefined && blobOid(mine) === oid) {
      files.set(path, mine);
      continue;
    }
    const { blob } = await git.readBlob({ fs, gitdir: repo.gitdir, oid, cache: repo.cache });
    files.set(path, Buffer.from(blob).toString('utf8'));
  }

  const description =
    layout === 'rendered-dir'
      ? `rendered/ at ${ref} (${short})`
      : layout === 'rendered-branch'
        ? `the rendered branch at ${ref} (${short})`
        : `${ref} (${short}), which has no rendered/ (everything counts as added)`;
  return { files, info: { ref, commit, layout, description } };
}

/** The git object id of a blob with this content, as `git hash-object` computes it. */
export function blobOid(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}

async function openRepo(root: string): Promise<Repo> {
  let dir: string;
  try {
    dir = await git.findRoot({ fs, filepath: resolve(root) });
  } catch {
    throw new BridgeError({
      code: 'usage',
      message: `${resolve(root)} is not inside a git repository, so there is no committed rendered/ to compare with`,
      hint: 'run `git init` and commit, or use `npm run check` to compare with rendered/ on disk',
    });
  }
  const dotGit = join(dir, '.git');
  if (fs.statSync(dotGit).isDirectory()) return { dir, gitdir: dotGit, cache: {} };
  // A linked worktree: `.git` is a file naming its gitdir, whose `commondir` holds refs and objects.
  const own = resolve(dir, fs.readFileSync(dotGit, 'utf8').replace(/^gitdir:\s*/, '').trim());
  const common = fs.existsSync(join(own, 'commondir')) ? resolve(own, fs.readFileSync(join(own, 'commondir'), 'utf8').trim()) : own;
  return { dir, gitdir: common, headFile: join(own, 'HEAD'), cache: {} };
}

/** `name` plus `~N` / `^N` suffixes, as git spells revisions. */
export function splitRevision(ref: string): { name: string; steps: { op: '~' | '^'; n: number }[] } {
  const m = /^(.*?)((?:[~^][0-9]*)*)$/.exec(ref)!;
  const name = m[1] === '' || m[1] === '@' ? 'HEAD' : m[1]!;
  const steps = [...m[2]!.matchAll(/([~^])([0-9]*)/g)].map((s) => ({ op: s[1] as '~' | '^', n: s[2] === '' ? 1 : Number(s[2]) }));
  return { name, steps };
}

async function resolveRevision(repo: Repo, ref: string): Promise<string> {
  if (ref.trim() === '' || /\s|\.\.|:|\^\{/.test(ref)) {
    throw new BridgeError({ code: 'usage', message: `invalid revision "${ref}"`, hint: REVISION_HINT });
  }
  const { name, steps } = splitRevision(ref);
  let oid = await resolveName(repo, name, ref);
  oid = await peelToCommit(repo, oid, ref);
  for (const step of steps) {
    if (step.op === '^' && step.n === 0) continue;
    const hops = step.op === '~' ? step.n : 1;
    const index = step.op === '~' ? 0 : step.n - 1;
    for (let i = 0; i < hops; i++) {
      const { commit } = await readCommit(repo, oid, ref);
      const parent = commit.parent[index];
      if (!parent) {
        throw new BridgeError({ code: 'usage', message: `revision "${ref}" does not exist: ${oid.slice(0, 7)} has no ${index === 0 ? 'parent' : `parent #${index + 1}`}`, hint: REVISION_HINT });
      }
      oid = parent;
    }
  }
  return oid;
}

async function resolveName(repo: Repo, name: string, ref: string): Promise<string> {
  try {
    if (name === 'HEAD' && repo.headFile) {
      const head = fs.readFileSync(repo.headFile, 'utf8').trim();
      return head.startsWith('ref: ') ? await git.resolveRef({ fs, gitdir: repo.gitdir, ref: head.slice(5) }) : head;
    }
    return await git.resolveRef({ fs, gitdir: repo.gitdir, ref: name });
  } catch {
    if (/^[0-9a-f]{4,40}$/i.test(name)) {
      try {
        return await git.expandOid({ fs, gitdir: repo.gitdir, oid: name.toLowerCase(), cache: repo.cache });
      } catch {
        // fall through to the error below
      }
    }
    const noCommits = name === 'HEAD';
    throw new BridgeError({
      code: 'usage',
      message: noCommits ? 'HEAD does not point at a commit yet (no commits in this repository)' : `unknown revision "${ref}": no branch, tag or commit by that name`,
      hint: noCommits ? 'commit rendered/ first, or pass --base <ref>' : name.includes('/') ? REVISION_HINT : `a remote branch is spelled origin/${name}; ${REVISION_HINT}`,
    });
  }
}

async function peelToCommit(repo: Repo, oid: string, ref: string): Promise<string> {
  for (let depth = 0; depth < 10; depth++) {
    let object;
    try {
      object = await git.readObject({ fs, gitdir: repo.gitdir, oid, cache: repo.cache });
    } catch (e) {
      throw missingObject(ref, oid, e);
    }
    if (object.type === 'commit') return oid;
    if (object.type !== 'tag') break;
    oid = (object.object as { object: string }).object;
  }
  throw new BridgeError({ code: 'usage', message: `revision "${ref}" is not a commit`, hint: REVISION_HINT });
}

async function readCommit(repo: Repo, oid: string, ref: string) {
  try {
    return await git.readCommit({ fs, gitdir: repo.gitdir, oid, cache: repo.cache });
  } catch (e) {
    throw missingObject(ref, oid, e);
  }
}

function missingObject(ref: string, oid: string, e: unknown): BridgeError {
  return new BridgeError({
    code: 'usage',
    message: `cannot read commit ${oid.slice(0, 7)} of "${ref}": ${(e as Error).message}`,
    hint: 'the clone may be shallow: fetch more history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)',
  });
}

/** path (relative to `path`) -> blob oid of every regular file under `path` in the commit, or undefined when `path` is not a directory there. */
async function listTree(repo: Repo, commit: string, path: string): Promise<Map<string, string> | undefined> {
  let top;
  try {
    top = await git.readTree({ fs, gitdir: repo.gitdir, oid: commit, ...(path && { filepath: path }), cache: repo.cache });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'NotFoundError' || code === 'ObjectTypeError') return undefined;
    throw missingObject(path || 'the tree', commit, e);
  }
  const out = new Map<string, string>();
  const walk = async (tree: typeof top.tree, at: string): Promise<void> => {
    for (const entry of tree) {
      const full = at ? `${at}/${entry.path}` : entry.path;
      if (entry.type === 'tree') {
        const sub = await git.readTree({ fs, gitdir: repo.gitdir, oid: entry.oid, cache: repo.cache });
        await walk(sub.tree, full);
      } else if (entry.type === 'blob' && entry.mode !== '120000') {
        out.set(full, entry.oid);
      }
    }
  };
  await walk(top.tree, '');
  return out;
}
