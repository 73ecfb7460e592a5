/** `npm run bench` runs end to end at a small size and reports every measure (--mix included: one run covers both fleets). Never a timed assertion. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('npm run bench', () => {
  it('measures a small synthetic fleet, and the mixed fleet beside it, and prints one JSON object with every measure', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'bench/bench.ts', '--apps', '20', '--envs', '2', '--runs', '1', '--mix', '--json'], {
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

    // --mix: 20 apps, every fifth from the fourth a Kustomize app, from the fifth a chart app.
    const mix = out.mix as Record<string, unknown>;
    expect(mix.apps).toEqual({ spec: 12, kustomize: 4, chart: 4 });
    // Per chart app and environment (no PDB outside prod): 4 objects of its own (no ServiceAccount)
    // where a spec app has 5, and a namespace of its own (Namespace, quota, limits, default deny).
    expect(mix.resources).toBe((out.resources as number) + 4 * 2 * (4 + 4 - 5));
    for (const key of ['full_render_s', 'noop_render_s', 'one_app_render_s', 'one_kustomize_app_render_s', 'one_chart_app_render_s', 'check_s']) {
      expect(mix[key], `mix.${key}`).toBeGreaterThan(0);
      const inside = (mix.in_process as Record<string, number>)[key]!;
      expect(inside, `mix.in_process.${key}`).toBeGreaterThan(0);
      expect(inside, `mix.in_process.${key}`).toBeLessThanOrEqual(mix[key] as number);
    }
    expect(mix.full_render_vs_spec).toBeCloseTo((mix.full_render_s as number) / (out.full_render_s as number), 1);
    const share = mix.kustomize_share as Record<string, number | null>;
    // 4 apps x 2 environments: 5 objects each, a PDB too in prod (envs are dev and staging here).
    expect(share).toMatchObject({ apps: 4, envs: 2, resources: 4 * 2 * 5 });
    for (const key of ['render_s', 'render_in_process_s', 'build_in_process_s']) expect(share[key], key).toBeGreaterThan(0);
    if (kubectl) {
      expect(share.kubectl_per_app_s).toBeGreaterThan(0);
      expect(share.kubectl_per_env_s).toBeGreaterThan(0);
      expect(share.kubectl_resources).toBe(share.resources);
      // kubectl's output for each app and environment is gitops-bridge's build of the same files, object for object.
      expect(share).toMatchObject({ kubectl_builds: 4 * 2, kubectl_same: 4 * 2 });
    } else expect(share.kubectl_per_app_s).toBeNull();
  });
});
