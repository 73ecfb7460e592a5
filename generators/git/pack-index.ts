/**
 * Whether a pack holds an object, from its .idx file (versions 1 and 2): a binary search over
 * the sorted object ids, without loading the pack. This is the write path's existence check
 * (object-store.ts has()): synchronous, about a microsecond per id. Reading objects out of
 * packs is isomorphic-git's (object-store.ts read()).
 * Format: https://git-scm.com/docs/pack-format
 */
import { readFileSync } from 'node:fs';

export class PackIndex {
  private readonly buf: Buffer;
  /** Where the sorted ids start, the bytes from one id to the next, and where an id starts in its record. */
  private readonly idsAt: number;
  private readonly stride: number;
  private readonly idOffset: number;
  /** Number of objects. */
  readonly count: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    if (buf.readUInt32BE(0) === 0xff744f63) {
      if (buf.readUInt32BE(4) !== 2) throw new Error(`unsupported pack index version ${buf.readUInt32BE(4)}`);
      this.idsAt = 8 + 256 * 4;
      this.stride = 20;
      this.idOffset = 0;
    } else {
      // Version 1: no header; each record is a 4-byte offset, then the id.
      this.idsAt = 256 * 4;
      this.stride = 24;
      this.idOffset = 4;
    }
    this.count = this.fanout(255);
    if (this.idsAt + this.count * this.stride > buf.length) throw new Error('truncated pack index');
  }

  static read(file: string): PackIndex {
    return new PackIndex(readFileSync(file));
  }

  /** How many ids start with a byte <= `byte`. */
  private fanout(byte: number): number {
    return this.buf.readUInt32BE(this.idsAt - 256 * 4 + byte * 4);
  }

  has(oid: string): boolean {
    const id = Buffer.from(oid, 'hex');
    if (id.length !== 20) return false;
    const first = id[0]!;
    let lo = first === 0 ? 0 : this.fanout(first - 1);
    let hi = this.fanout(first);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.idsAt + mid * this.stride + this.idOffset;
      const c = this.buf.compare(id, 0, 20, at, at + 20);
      if (c === 0) return true;
      if (c > 0) hi = mid;
      else lo = mid + 1;
    }
    return false;
  }
}
