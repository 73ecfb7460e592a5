// A thread that writes files (stage.ts): plain JavaScript, so it starts in milliseconds, and
// it keeps a first render's thousands of small writes off the thread that renders.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

const made = new Set();
let failure;
parentPort.on('message', (message) => {
  if (message.type === 'files') {
    if (failure) return;
    try {
      for (const [file, content] of message.files) {
        const dir = dirname(file);
        if (!made.has(dir)) {
          mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
        writeFileSync(file, content);
      }
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
  } else if (message.type === 'finish') {
    parentPort.postMessage(failure === undefined ? { type: 'finished' } : { type: 'failed', error: failure });
  }
});
