/**
 * Git's object formats, pure: hashing ("<type> <size>\0" + content, SHA-1), trees, commits.
 * Nothing here touches the disk; the object store writes what these functions produce.
 */
import * as crypto from 'node:crypto';

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

/** crypto.hash (Node 20.12 and later): one call instead of a Hash object, two updates and a digest. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
/** Header and content side by side, for oneShot; objects larger than this take the streaming path. */
const hashScratch = Buffer.allocUnsafe(64 * 1024);

/** The object id git gives `content` as an object of `type` (what `git hash-object -t <type>` prints). */
export function hashObject(type: ObjectType, content: Uint8Array): string {
  const header = `${type} ${content.length}\0`;
  if (oneShot && content.length <= hashScratch.length - 32) {
    const n = writeAscii(hashScratch, header, 0);
    hashScratch.set(content, n);
    return oneShot('sha1', hashScratch.subarray(0, n + content.length), 'hex');
  }
  return crypto.createHash('sha1').update(header).update(content).digest('hex');
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

/** Whether every character of `s` is ASCII (then JavaScript's string order is git's byte order). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Hex digit values by character code; -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Writes a 40-digit hex object id as 20 bytes at `o` (done here: a call into Buffer#write per id costs more). */
function writeOid(out: Buffer, oid: string, o: number): void {
  let bad = oid.length !== 40 ? -1 : 0;
  for (let i = 0; i < 20; i++) {
    const hi = HEX[oid.charCodeAt(2 * i)] ?? -1;
    const lo = HEX[oid.charCodeAt(2 * i + 1)] ?? -1;
    bad |= hi | lo;
    out[o + i] = (hi << 4) | lo;
  }
  if (bad < 0) throw new Error(`invalid object id ${JSON.stringify(oid)}`);
}

/** Writes an ASCII string at `o`; returns the offset after it. */
function writeAscii(out: Buffer, text: string, o: number): number {
  for (let i = 0; i < text.length; i++) out[o + i] = text.charCodeAt(i);
  return o + text.length;
}

/** A tree object's content: `<mode> <name>\0<20-byte id>` per entry, in git's order. */
export function encodeTree(entries: readonly TreeEntry[]): Buffer {
  // Sort keys are made once per entry, not once per comparison; ASCII names (the usual case)
  // compare as strings, others as their UTF-8 bytes.
  const n = entries.length;
  const keys = new Array<string>(n);
  const order = new Array<number>(n);
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const key = isTreeMode(e.mode) ? e.name + '/' : e.name;
    keys[i] = key;
    order[i] = i;
    if (ascii && !(isAscii(key) && isAscii(e.mode))) ascii = false;
  }
  if (!ascii) {
    const bytes = keys.map((k) => Buffer.from(k, 'utf8'));
    order.sort((a, b) => Buffer.compare(bytes[a]!, bytes[b]!));
  } else if (n > 16) {
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  } else {
    // Insertion sort: app directories hold a handful of entries.
    for (let i = 1; i < n; i++) {
      const at = order[i]!;
      const key = keys[at]!;
      let j = i;
      for (; j > 0 && keys[order[j - 1]!]! > key; j--) order[j] = order[j - 1]!;
      order[j] = at;
    }
  }
  let size = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[order[i]!]!;
    if (i > 0 && entries[order[i - 1]!]!.name === e.name) throw new Error(`duplicate tree entry ${JSON.stringify(e.name)}`);
    if (e.name === '' || e.name.includes('/') || e.name.includes('\0') || e.name === '.' || e.name === '..' || e.name === '.git') {
      throw new Error(`invalid tree entry name ${JSON.stringify(e.name)}`);
    }
    size += (ascii ? e.mode.length + e.name.length : Buffer.byteLength(e.mode, 'utf8') + Buffer.byteLength(e.name, 'utf8')) + 22;
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[order[i]!]!;
    if (ascii) o = writeAscii(out, e.mode, o);
    else o += out.write(e.mode, o, 'utf8');
    out[o++] = 0x20;
    if (ascii) o = writeAscii(out, e.name, o);
    else o += out.write(e.name, o, 'utf8');
    out[o++] = 0;
    writeOid(out, e.oid, o);
    o += 20;
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
