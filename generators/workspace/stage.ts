/**
 * A first render's files written while the render is still going, into the tree writeRendered
 * then renames into place (.cache/gitops-bridge/stage-<pid>: rendered-writer.ts): this thread hands each rendered unit's files to a
 * writer thread (file-writer.mjs) and goes on rendering; render worker threads, where there are
 * some, write their own units. A failed render deletes the tree, so nothing is written. The I/O
 * edge.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { inside } from './rendered-writer.js';

export class Stage {
  private readonly writer: Worker;
  private batch: [string, string][] = [];
  private error: Error | undefined;
  /** Settles when the writer thread stops for any reason: an error (even one raised as it starts, e.g. EMFILE), or an exit. */
  private readonly stopped: Promise<void>;

  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    this.writer = new Worker(new URL('./file-writer.mjs', import.meta.url), { execArgv: [] });
    this.stopped = new Promise((settle) => {
      this.writer.on('error', (e) => {
        this.error ??= e;
        settle();
      });
      this.writer.on('exit', () => settle());
    });
  }

  /** Queues one file (path under rendered/) for writing. */
  add(path: string, content: string): void {
    this.batch.push([inside(this.dir, path), content]);
    if (this.batch.length >= 256) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.writer.postMessage({ type: 'files', files: this.batch });
    this.batch = [];
  }

  /** Resolves once every queued file is written; rejects if one could not be. */
  async finish(): Promise<void> {
    this.flush();
    // The writer may already have died (an error before this call is only recorded): waiting for
    // its reply alone would then wait for ever, so its stop ends the wait too.
    const reply = await Promise.race([
      new Promise<{ type: string; error?: string }>((resolve) => {
        this.writer.once('message', resolve);
        this.writer.postMessage({ type: 'finish' });
      }),
      this.stopped.then(() => undefined),
    ]);
    await this.writer.terminate();
    if (this.error) throw this.error;
    if (!reply) throw new Error(`writing ${this.dir} failed: the writer thread stopped before it finished`);
    if (reply.type !== 'finished') throw new Error(`writing ${this.dir} failed: ${reply.error}`);
  }

  /** Stops the writer and deletes the tree (again once the writer has stopped, whatever it wrote last). */
  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
    void this.writer.terminate().then(() => rmSync(this.dir, { recursive: true, force: true }));
  }
}
