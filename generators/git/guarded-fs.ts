/**
 * A file system for isomorphic-git's fetch, push and notes that keeps the repository crash
 * safe. isomorphic-git writes a fetch's remote refs before the pack they point to, and writes
 * files in place; through this wrapper every file under objects/ is written atomically (a
 * temporary file named as git names its own, `tmp_obj_*`, which `git fsck` ignores, then a
 * rename) and every other write (refs, shallow) is held back and handed to the caller, who
 * applies it once the objects are in place. A held write is what later reads see.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { PromiseFsClient } from 'isomorphic-git';

export interface GuardedFs {
  /** Pass as isomorphic-git's `fs`. */
  fs: PromiseFsClient;
  /** Writes held back: path -> bytes, or null for a deletion. */
  held: Map<string, Buffer | null>;
}

function enoent(path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, open '${path}'`);
  e.code = 'ENOENT';
  return e;
}

function toBuffer(data: unknown, options: unknown): Buffer {
  if (typeof data === 'string') {
    const enc = typeof options === 'string' ? options : ((options as { encoding?: BufferEncoding } | undefined)?.encoding ?? 'utf8');
    return Buffer.from(data, enc as BufferEncoding);
  }
  return Buffer.from(data as Uint8Array);
}

export function guardedFs(gitdir: string): GuardedFs {
  const p = fs.promises;
  const objects = resolve(gitdir, 'objects') + sep;
  const held = new Map<string, Buffer | null>();
  const isObject = (path: string) => resolve(path).startsWith(objects);
  const api = {
    async readFile(path: string, options?: unknown) {
      const h = held.get(resolve(path));
      if (h === null) throw enoent(path);
      if (h !== undefined) {
        const enc = typeof options === 'string' ? options : (options as { encoding?: BufferEncoding } | undefined)?.encoding;
        return enc ? h.toString(enc as BufferEncoding) : h;
      }
      return p.readFile(path, options as Parameters<typeof p.readFile>[1]);
    },
    async writeFile(path: string, data: unknown, options?: unknown) {
      const bytes = toBuffer(data, options);
      if (!isObject(path)) {
        held.set(resolve(path), bytes);
        return;
      }
      const tmp = join(dirname(path), `tmp_obj_${process.pid}_${randomBytes(6).toString('hex')}`);
      await p.writeFile(tmp, bytes, { flag: 'wx', mode: 0o444 });
      await p.rename(tmp, path);
    },
    async unlink(path: string) {
      if (!isObject(path)) {
        held.set(resolve(path), null);
        return;
      }
      return p.unlink(path);
    },
    async rm(path: string, options?: fs.RmOptions) {
      if (!isObject(path)) {
        held.set(resolve(path), null);
        return;
      }
      return p.rm(path, options);
    },
    mkdir: (path: string, options?: fs.MakeDirectoryOptions) => p.mkdir(path, options),
    rmdir: (path: string) => p.rmdir(path),
    stat: (path: string, options?: fs.StatOptions) => p.stat(path, options),
    lstat: (path: string, options?: fs.StatOptions) => p.lstat(path, options),
    readdir: (path: string, options?: object) => p.readdir(path, options as { encoding: BufferEncoding }),
    readlink: (path: string, options?: object) => p.readlink(path, options as { encoding: BufferEncoding }),
    symlink: (target: string, path: string) => p.symlink(target, path),
  };
  return { fs: api as unknown as PromiseFsClient, held };
}
