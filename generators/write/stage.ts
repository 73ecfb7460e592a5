/**
 * A first render's files written while the render is still going: each thread writes the units
 * it renders (render/workers.ts) into the tree that writeRendered then renames into place
 * (rendered.tmp-<pid>). A failed render deletes the tree, so nothing is written. The I/O edge.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inside } from './rendered-dir.js';

export class Stage {
  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Writes one more file (the hub's, rendered once the units are). */
  add(path: string, content: string): void {
    const target = inside(this.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }

  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
