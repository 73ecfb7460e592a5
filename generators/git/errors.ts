/**
 * What goes wrong inside the repository, as BridgeErrors with a `git-*` code and a hint that
 * says what to do, so the CLI prints them like any other error (no stack trace) and scripts can
 * tell a missing object from a corrupt one, a held lock from a branch that moved.
 *
 *   git-object-missing   an object the repository should hold is not there (shallow clone, partial fetch)
 *   git-corrupt-object   an object is there but does not hash to its id, does not inflate, or does not parse
 *   git-bad-ref          a ref file holds something that is not an object id (or a symbolic-ref loop)
 *   git-ref-locked       `<ref>.lock` is held by another process (or left by a killed one)
 *   git-ref-moved        the compare-and-swap found the ref somewhere else than where the run started
 *   git-diverged         the local and remote branches each have commits the other lacks
 *   git-push-rejected    the server refused a push that is not a fast-forward
 *   git-auth             the server refused the credentials, or wants some
 *   git-remote           any other failure talking to the remote
 *   git-notes            the hydrator notes ref is in a form gitops-bridge does not write (notes.ts)
 *
 * isomorphic-git throws errors whose `code` is the class name (NotFoundError, InternalError for
 * a failed SHA check, ...); libraryError() turns those met while reading an object into the codes
 * above.
 */
import { BridgeError, type ErrorCode } from '../core/errors.js';

export type GitErrorCode = Extract<ErrorCode, `git-${string}`>;

export function gitError(code: GitErrorCode, message: string, hint?: string, file?: string): BridgeError {
  return new BridgeError({ code, message, ...(hint !== undefined && { hint }), ...(file !== undefined && { file }) });
}

const short = (oid: string) => oid.slice(0, 7);

const FSCK_HINT = 'run `git fsck --full` to see what else is damaged; a fresh clone (or `git fetch` of the branch) brings intact copies of pushed objects';

export function objectMissing(oid: string, what = 'object'): BridgeError {
  return gitError(
    'git-object-missing',
    `${what} ${short(oid)} (${oid}) is not in the repository's object database`,
    'the clone may be shallow or partial: fetch the history it needs (git fetch --unshallow, or actions/checkout with fetch-depth: 0); if it should be there, run `git fsck --full`',
  );
}

export function corruptObject(oid: string, detail: string): BridgeError {
  return gitError('git-corrupt-object', `object ${short(oid)} (${oid}) is corrupt: ${detail}`, FSCK_HINT);
}

export function badRef(name: string, detail: string, file?: string): BridgeError {
  return gitError('git-bad-ref', `${name} ${detail}`, `check the ref with \`git rev-parse --verify ${name}\`; if it is damaged, point it at the right commit with \`git update-ref ${name} <commit>\``, file);
}

/** An error isomorphic-git threw while reading `oid`, as a typed error; BridgeErrors pass through. */
export function libraryError(e: unknown, oid: string): BridgeError {
  if (e instanceof BridgeError) return e;
  const err = e as { code?: string; message?: string };
  const message = err?.message ?? String(e);
  if (err?.code === 'NotFoundError') return objectMissing(oid);
  if (err?.code && /^E[A-Z]+$/.test(err.code)) return new BridgeError({ code: 'io', message: `cannot read object ${short(oid)}: ${message}` });
  // InternalError is a failed SHA check of a loose object or a pack checksum; DecompressionError
  // (and pako's plain strings) are bytes that do not inflate. Anything else met while reading an
  // object is also its bytes not being what git wrote.
  return corruptObject(oid, message.replace(/\s+/g, ' ').trim());
}
