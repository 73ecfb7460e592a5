/**
 * A first render's files written while the render is still going: each file is handed to the
 * thread pool as soon as its unit is rendered, into the tree that writeRendered then renames into
 * place (rendered.tmp-<pid>). The render thread never waits for the disk; a failed render deletes
 * the tree, so nothing is written. The I/O edge.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inside } from './rendered-dir.js';

export class Stage {
  private readonly pending: Promise<void>[] = [];
  private readonly made = new Map<string, Promise<unknown>>();
  private failure: unknown;

  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  add(path: string, content: string): void {
    const target = inside(this.dir, path);
    const parent = dirname(target);
    let made = this.made.get(parent);
    if (!made) {
      made = mkdir(parent, { recursive: true });
      this.made.set(parent, made);
    }
    this.pending.push(
      made.then(() => writeFile(target, content)).catch((e: unknown) => {
        this.failure ??= e;
      }),
    );
  }

  /** Resolves once every file is written; rejects (having deleted the tree) if one could not be. */
  async finish(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== undefined) {
      this.discard();
      throw this.failure;
    }
  }

  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
