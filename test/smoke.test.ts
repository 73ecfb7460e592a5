import { describe, expect, it } from 'vitest';
import { cli, tempProject } from './helpers.js';

describe('example fleet', () => {
  it('renders with no changes against the committed rendered/', async () => {
    const p = tempProject();
    try {
      const r = await cli(['--root', p.root, 'check']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      p.cleanup();
    }
  });
});
