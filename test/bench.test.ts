/** `npm run bench` runs end to end at a small size and reports every measure. Never a timed assertion. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('npm run bench', () => {
  it('measures a small synthetic fleet and prints one JSON object with every measure', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'bench/bench.ts', '--apps', '20', '--envs', '2', '--runs', '1', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ apps: 20, envs: 2, runs: 1, render_mode: 'cli-process', commit_mode: 'in-process' });
    // 20 apps x 2 environments: 5 objects each (6 with a PDB in prod), namespaces, cluster metadata, the hub.
    expect(out.resources).toBeGreaterThan(200);
    for (const key of ['full_render_s', 'noop_render_s', 'one_app_render_s', 'check_s', 'check_no_cache_s', 'commit_first_s', 'commit_one_app_s', 'floor_s', 'floor_js_yaml_s', 'cli_startup_s']) {
      expect(out[key], key).toBeTypeOf('number');
      expect(out[key] as number, key).toBeGreaterThan(0);
    }
    const inside = out.in_process as Record<string, number>;
    for (const key of ['full_render_s', 'noop_render_s', 'one_app_render_s', 'check_s']) {
      expect(inside[key], `in_process.${key}`).toBeGreaterThan(0);
      expect(inside[key]!, `in_process.${key}`).toBeLessThanOrEqual(out[key] as number);
    }
    expect(out.peak_rss_mb).toBeGreaterThan(20);
    expect(out.peak_rss_mb).toBeLessThan(4096);
    // Kustomize runs where kubectl is installed, and is null where it is not.
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
    if (kubectl) {
      expect(out.kustomize_s).toBeGreaterThan(0);
      // The same objects but the hub's (Argo CD ApplicationSets, projects, cluster Secrets, bootstrap: 3 per environment and 1).
      expect(out.kustomize_resources).toBe((out.resources as number) - (3 * 2 + 1));
    } else expect(out.kustomize_s).toBeNull();
    expect(out.growth_2x).toBeNull();
  });
});
