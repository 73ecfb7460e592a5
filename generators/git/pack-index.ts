/**
 * A pack's .idx file (versions 1 and 2): a binary search over the sorted object ids tells
 * whether the pack holds an object, and where in the .pack it starts, without loading the pack.
 */
import { readFileSync } from 'node:fs';

export class PackIndex {
  private readonly buf: Buffer;
  private readonly idsAt: number;
  private readonly stride: number;
  private readonly idOffset: number;
  private readonly version: 1 | 2;
  /** Number of objects. */
  readonly count: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    if (buf.readUInt32BE(0) === 0xff744f63) {
      if (buf.readUInt32BE(4) !== 2) throw new Error(`unsupported pack index version ${buf.readUInt32BE(4)}`);
      this.idsAt = 8 + 256 * 4;
      this.stride = 20;
      this.idOffset = 0;
      this.version = 2;
    } else {
      this.idsAt = 256 * 4;
      this.stride = 24;
      this.idOffset = 4;
      this.version = 1;
    }
    this.count = this.fanout(255);
  }

  static read(file: string): PackIndex {
    return new PackIndex(readFileSync(file));
  }

  private fanout(byte: number): number {
    const at = this.idsAt - 256 * 4 + byte * 4;
    return this.buf.readUInt32BE(at);
  }

  has(oid: string): boolean {
    return this.position(oid) >= 0;
  }

  /** Where the object starts in the .pack file, or undefined when the pack does not hold it. */
  offset(oid: string): number | undefined {
    const i = this.position(oid);
    if (i < 0) return undefined;
    if (this.version === 1) return this.buf.readUInt32BE(this.idsAt + i * 24);
    const small = this.buf.readUInt32BE(this.idsAt + this.count * 24 + i * 4);
    if (!(small & 0x80000000)) return small;
    const large = this.idsAt + this.count * 28 + (small & 0x7fffffff) * 8;
    return Number(this.buf.readBigUInt64BE(large));
  }

  private position(oid: string): number {
    const id = Buffer.from(oid, 'hex');
    const first = id[0]!;
    let lo = first === 0 ? 0 : this.fanout(first - 1);
    let hi = this.fanout(first);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.idsAt + mid * this.stride + this.idOffset;
      const c = this.buf.compare(id, 0, 20, at, at + 20);
      if (c === 0) return mid;
      if (c > 0) hi = mid;
      else lo = mid + 1;
    }
    return -1;
  }
}
