/**
 * Membership in a pack, from its .idx file (versions 1 and 2): a binary search over the
 * sorted object ids, without loading the pack. Used to skip writing objects a pack holds.
 */
import { readFileSync } from 'node:fs';

export class PackIndex {
  private readonly buf: Buffer;
  private readonly idsAt: number;
  private readonly stride: number;
  private readonly idOffset: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    if (buf.readUInt32BE(0) === 0xff744f63) {
      if (buf.readUInt32BE(4) !== 2) throw new Error(`unsupported pack index version ${buf.readUInt32BE(4)}`);
      this.idsAt = 8 + 256 * 4;
      this.stride = 20;
      this.idOffset = 0;
    } else {
      this.idsAt = 256 * 4;
      this.stride = 24;
      this.idOffset = 4;
    }
  }

  static read(file: string): PackIndex {
    return new PackIndex(readFileSync(file));
  }

  private fanout(byte: number): number {
    const at = this.idsAt - 256 * 4 + byte * 4;
    return this.buf.readUInt32BE(at);
  }

  has(oid: string): boolean {
    const id = Buffer.from(oid, 'hex');
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
