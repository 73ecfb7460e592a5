/**
 * The lock and the recovery as a user meets them through the CLI: a held lock refused with the
 * holder's pid (exit 1, no stack trace), a pending journal finished by `check` before it compares,
 * one that cannot be finished stopping `check` with the journal named.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempProject } from './helpers.js';
import { startOf } from '../generators/workspace/work-dir.js';

let root: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ root, cleanup } = tempProject());
  expect((await cli(['render', '--root', root, '-q'])).code).toBe(0);
});
afterAll(() => cleanup());

const work = () => join(root, '.cache/gitops-bridge');

describe('commands and the project lock', () => {
  it('refuses with the holder\'s pid when another live run holds the lock', async () => {
    writeFileSync(join(work(), 'lock'), JSON.stringify({ pid: process.ppid, start: startOf(process.ppid), command: 'render', since: '2026-01-01T00:00:00.000Z' }));
    const saved = process.env.GITOPS_BRIDGE_LOCK_WAIT;
    process.env.GITOPS_BRIDGE_LOCK_WAIT = '0';
    try {
      for (const command of ['render', 'check']) {
        const r = await cli([command, '--root', root]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`another gitops-bridge run (pid ${process.ppid}, \`render\``);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    } finally {
      if (saved === undefined) delete process.env.GITOPS_BRIDGE_LOCK_WAIT;
      else process.env.GITOPS_BRIDGE_LOCK_WAIT = saved;
    }
    // The same lock left by a dead process is taken over.
    writeFileSync(join(work(), 'lock'), JSON.stringify({ pid: 999_999_999, command: 'render', since: '2026-01-01T00:00:00.000Z' }));
    expect((await cli(['check', '--root', root])).code).toBe(0);
  });

  it('check finishes a pending journal first, and fails naming one it cannot finish', async () => {
    const file = readdirSync(join(root, 'rendered/dev')).map((d) => join('dev', d))[0]!;
    const name = readdirSync(join(root, 'rendered', file))[0]!;
    const path = join(file, name);
    const text = readFileSync(join(root, 'rendered', path), 'utf8');
    // A kill after the plan was committed and before this file was moved in: it is still missing from rendered/.
    const journal = join(work(), 'journal-999999998');
    mkdirSync(join(journal, 'files', file), { recursive: true });
    writeFileSync(join(journal, 'files', path), text);
    writeFileSync(join(journal, 'plan.json'), JSON.stringify({ write: [path], remove: [] }));
    writeFileSync(join(root, 'rendered', path), 'half-written\n');
    expect((await cli(['check', '--root', root])).code).toBe(0);
    expect(readFileSync(join(root, 'rendered', path), 'utf8')).toBe(text);

    const bad = join(work(), 'journal-999999997');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'plan.json'), JSON.stringify({ write: ['../outside.yaml'], remove: [] }));
    const r = await cli(['check', '--root', root]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('an interrupted write of rendered/ could not be finished');
    expect(r.stderr).toContain('journal-999999997');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
