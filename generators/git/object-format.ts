/**
 * Git's object formats, pure: hashing ("<type> <size>\0" + content, SHA-1), trees, commits.
 * Nothing here touches the disk; the object store writes what these functions produce.
 */
import { createHash } from 'node:crypto';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export const ZERO_OID = '0'.repeat(40);
const OID = /^[0-9a-f]{40}$/;

export function isOid(value: string): boolean {
  return OID.test(value);
}

/** The object's header and content, as git stores it before compression. */
export function objectBytes(type: ObjectType, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
}

/** The object id git gives `content` as an object of `type` (what `git hash-object -t <type>` prints). */
export function hashObject(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

export type FileMode = '100644' | '100755' | '120000' | '160000';
export type EntryMode = FileMode | '40000';

export interface TreeEntry {
  name: string;
  mode: EntryMode;
  oid: string;
}

export function isTreeMode(mode: string): boolean {
  return mode === '40000' || mode === '040000';
}

/**
 * Git's order for tree entries: byte order of the name, a directory compared as if its
 * name ended in "/" (so `a.b` < `a/` < `a0`).
 */
export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  return Buffer.compare(sortKey(a), sortKey(b));
}

function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(isTreeMode(e.mode) ? e.name + '/' : e.name, 'utf8');
}

/** A tree object's content: `<mode> <name>\0<20-byte id>` per entry, in git's order. */
export function encodeTree(entries: readonly TreeEntry[]): Buffer {
  // Sort keys are made once per entry, not once per comparison.
  const keyed = entries.map((e) => ({ e, key: sortKey(e) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  let size = 0;
  for (let i = 0; i < keyed.length; i++) {
    const e = keyed[i]!.e;
    if (i > 0 && keyed[i - 1]!.e.name === e.name) throw new Error(`duplicate tree entry ${JSON.stringify(e.name)}`);
    if (e.name === '' || e.name.includes('/') || e.name.includes('\0') || e.name === '.' || e.name === '..' || e.name === '.git') {
      throw new Error(`invalid tree entry name ${JSON.stringify(e.name)}`);
    }
    size += e.mode.length + Buffer.byteLength(e.name, 'utf8') + 22;
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const { e } of keyed) {
    o += out.write(e.mode, o, 'latin1');
    out[o++] = 0x20;
    o += out.write(e.name, o, 'utf8');
    out[o++] = 0;
    o += out.write(e.oid, o, 'hex');
  }
  return out;
}

export function decodeTree(content: Uint8Array): TreeEntry[] {
  const buf = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < buf.length) {
    const space = buf.indexOf(0x20, i);
    const nul = buf.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > buf.length) throw new Error('corrupt tree object');
    const mode = buf.toString('latin1', i, space);
    entries.push({
      mode: (mode === '040000' ? '40000' : mode) as EntryMode,
      name: buf.toString('utf8', space + 1, nul),
      oid: buf.toString('hex', nul + 1, nul + 21),
    });
    i = nul + 21;
  }
  return entries;
}

/** Who and when, as in a commit's author and committer lines. */
export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes east of UTC (+0200 is 120). */
  offset: number;
}

export interface CommitFields {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

export function formatSignature(s: Signature): string {
  return `${cleanIdent(s.name)} <${cleanIdent(s.email)}> ${s.timestamp} ${formatOffset(s.offset)}`;
}

/** Names and emails cannot hold `<`, `>` or newlines in a commit header; git strips them too. */
function cleanIdent(value: string): string {
  return value.replace(/[<>\n\r\0]/g, '').trim();
}

export function encodeCommit(c: CommitFields): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${formatSignature(c.author)}`, `committer ${formatSignature(c.committer)}`];
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`, 'utf8');
}

export interface ParsedCommit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  /** Everything after the headers, as stored. */
  message: string;
}

export function decodeCommit(content: Uint8Array): ParsedCommit {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const message = end < 0 ? '' : text.slice(end + 2);
  let tree = '';
  const parents: string[] = [];
  let author: Signature | undefined;
  let committer: Signature | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of a multi-line header (gpgsig)
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseSignature(value);
    else if (key === 'committer') committer = parseSignature(value);
  }
  if (!isOid(tree) || !author || !committer) throw new Error('corrupt commit object');
  return { tree, parents, author, committer, message };
}

export function parseSignature(value: string): Signature {
  const m = /^(.*?) ?<([^>]*)> (-?\d+) ([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m) throw new Error(`cannot parse signature ${JSON.stringify(value)}`);
  const offset = (Number(m[5]) * 60 + Number(m[6])) * (m[4] === '-' ? -1 : 1);
  return { name: m[1]!, email: m[2]!, timestamp: Number(m[3]), offset };
}
