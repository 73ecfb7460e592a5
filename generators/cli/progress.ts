/**
 * A progress bar on stderr for renders long enough to wonder about: only on a terminal, never in
 * CI (the CI variable set to anything but "false" or "0"), and only once a render has run for a
 * moment, so a cached re-render prints nothing. Redrawn at most ten times a second; erased when
 * the render ends, so the summary lines stay as they were.
 */
export interface Progress {
  update(done: number, total: number): void;
  /** Erases the bar (if it was ever drawn). */
  finish(): void;
}

const DELAY_MS = 400;
const INTERVAL_MS = 100;
const WIDTH = 30;

interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function inCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** The bar for `stream`, or undefined when there should be none (not a terminal, CI). */
export function progressBar(label: string, stream: Terminal = process.stderr, env: NodeJS.ProcessEnv = process.env, now: () => number = () => performance.now()): Progress | undefined {
  if (!stream.isTTY || inCi(env)) return undefined;
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - start < DELAY_MS || (t - last < INTERVAL_MS && done < total) || total === 0) return;
      last = t;
      drawn = true;
      const filled = Math.round((done / total) * WIDTH);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} units`;
      stream.write(`\r${line.slice(0, Math.max(10, (stream.columns ?? 80) - 1))}\x1b[K`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** GITOPS_BRIDGE_TIMINGS=1: how long each phase took, on stderr. */
export function phaseTimer(env: NodeJS.ProcessEnv, err: (line: string) => void): ((phase: string) => void) | undefined {
  if (!env.GITOPS_BRIDGE_TIMINGS || env.GITOPS_BRIDGE_TIMINGS === '0') return undefined;
  let last = performance.now();
  err(`timing: process start to command ${Math.round(last)} ms`);
  return (phase) => {
    const t = performance.now();
    err(`timing: ${phase} ${Math.round(t - last)} ms`);
    last = t;
  };
}
