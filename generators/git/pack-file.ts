/**
 * Reading objects out of a .pack file, deltas included (OFS_DELTA and REF_DELTA), so the
 * parent commit's trees can be read quickly after a fetch or `git gc` packed them (why not
 * through isomorphic-git: object-store.ts). Nothing is verified here: object-store.ts hashes
 * every object it returns against its id.
 * Format: https://git-scm.com/docs/pack-format
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { ObjectType } from './object-format.js';
import type { PackIndex } from './pack-index.js';

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export interface RawObject {
  type: ObjectType;
  content: Buffer;
}

export class PackFile {
  private data: Buffer | undefined;
  /** Resolved objects by offset: delta chains share their bases. */
  private readonly resolved = new Map<number, RawObject>();

  constructor(
    readonly index: PackIndex,
    private readonly packPath: string,
    /** Reads a REF_DELTA base that is not in this pack. */
    private readonly readExternal: (oid: string) => Promise<RawObject>,
  ) {}

  async read(oid: string): Promise<RawObject | undefined> {
    const offset = this.index.offset(oid);
    return offset === undefined ? undefined : this.at(offset);
  }

  private async at(offset: number): Promise<RawObject> {
    const cached = this.resolved.get(offset);
    if (cached) return cached;
    const data = (this.data ??= readFileSync(this.packPath));
    let p = offset;
    let c = data[p++]!;
    const kind = (c >> 4) & 7;
    while (c & 0x80) c = data[p++]!; // the size; the inflated length says it again
    let object: RawObject;
    if (TYPES[kind]) {
      object = { type: TYPES[kind]!, content: inflateSync(data.subarray(p)) };
    } else if (kind === OFS_DELTA || kind === REF_DELTA) {
      let base: RawObject;
      if (kind === OFS_DELTA) {
        c = data[p++]!;
        let back = c & 0x7f;
        while (c & 0x80) {
          c = data[p++]!;
          back = (back + 1) * 128 + (c & 0x7f);
        }
        base = await this.at(offset - back);
      } else {
        const baseOid = data.toString('hex', p, p + 20);
        p += 20;
        const inPack = this.index.offset(baseOid);
        base = inPack !== undefined ? await this.at(inPack) : await this.readExternal(baseOid);
      }
      object = { type: base.type, content: applyDelta(base.content, inflateSync(data.subarray(p))) };
    } else {
      throw new Error(`${this.packPath}: unknown object type ${kind} at offset ${offset}`);
    }
    if (this.resolved.size > 4096) this.resolved.clear();
    this.resolved.set(offset, object);
    return object;
  }
}

/** Applies a git delta (source size, target size, then copy and insert instructions) to `base`. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let p = 0;
  const varint = () => {
    let value = 0;
    let shift = 1;
    let c: number;
    do {
      c = delta[p++]!;
      value += (c & 0x7f) * shift;
      shift *= 128;
    } while (c & 0x80);
    return value;
  };
  const sourceSize = varint();
  if (sourceSize !== base.length) throw new Error(`delta expects a base of ${sourceSize} bytes, got ${base.length}`);
  const out = Buffer.allocUnsafe(varint());
  let o = 0;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      let from = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) from += delta[p++]! * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) size += delta[p++]! << (8 * i);
      if (size === 0) size = 0x10000;
      o += base.copy(out, o, from, from + size);
    } else if (op > 0) {
      o += delta.copy(out, o, p, p + op);
      p += op;
    } else {
      throw new Error('corrupt delta: opcode 0');
    }
  }
  if (o !== out.length) throw new Error(`corrupt delta: wrote ${o} of ${out.length} bytes`);
  return out;
}
