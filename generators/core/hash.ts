/** Content hashes. Pure. */
import { createHash } from 'node:crypto';

/** A text's git blob id (`git hash-object`): the content hash of rendered files in the cache and its manifest. */
export function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** A short digest of some strings (cache keys, sibling sets). */
export function digest(...parts: string[]): string {
  return digestOf(parts);
}

/** digest() of any number of strings. */
export function digestOf(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64url');
}
