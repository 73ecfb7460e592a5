/** The progress bar: on a terminal only, never in CI, not for quick runs, erased at the end. */
import { describe, expect, it } from 'vitest';
import { inCi, progressBar } from '../../generators/cli/progress.js';

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, columns: 80, write: (t: string) => written.push(t) }, written };
}

describe('progressBar', () => {
  it('draws on a terminal once the render has gone on a moment, at most ten times a second, and erases itself', () => {
    const { stream, written } = terminal(true);
    let now = 0;
    const bar = progressBar('rendering', stream, {}, () => now)!;
    bar.update(10, 100);
    expect(written).toEqual([]); // too early: a quick render shows nothing
    now = 500;
    bar.update(50, 100);
    now = 520;
    bar.update(60, 100); // within 100 ms of the last draw
    now = 700;
    bar.update(100, 100);
    bar.finish();
    expect(written).toHaveLength(3);
    expect(written[0]).toContain('rendering [###############...............] 50/100 units');
    expect(written[1]).toContain('100/100 units');
    expect(written[2]).toBe('\r\x1b[K');
  });

  it('is quiet when stderr is not a terminal, and in CI', () => {
    expect(progressBar('x', terminal(false).stream, {})).toBeUndefined();
    expect(progressBar('x', terminal(true).stream, { CI: 'true' })).toBeUndefined();
    expect(progressBar('x', terminal(true).stream, { CI: '1' })).toBeUndefined();
    expect(progressBar('x', terminal(true).stream, { CI: 'false' })).toBeDefined();
    expect(inCi({ CI: '0' })).toBe(false);
    expect(inCi({})).toBe(false);
  });

  it('erases nothing when it never drew', () => {
    const { stream, written } = terminal(true);
    progressBar('x', stream, {}, () => 0)!.finish();
    expect(written).toEqual([]);
  });
});
