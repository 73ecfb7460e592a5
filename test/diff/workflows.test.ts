/**
 * The GitHub Actions workflows: pinned actions, minimal explicit permissions, OIDC for cloud
 * access and no long-lived keys, and the steps the project relies on (check and the diff
 * comment on PRs, the rendered branch on main, drift detection on a schedule).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  uses?: string;
  strategy?: { matrix?: { include?: Record<string, string>[]; [k: string]: unknown } };
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const dir = join(repoRoot, '.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => readFileSync(join(dir, file), 'utf8');
// js-yaml's default schema reads `on:` as a string key (YAML 1.2), as GitHub does.
const workflows = new Map(files.map((f) => [f, yaml.load(text(f)) as Workflow]));
const byTrigger = (trigger: string) => [...workflows].filter(([, w]) => trigger in w.on);
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const jobsUsing = (w: Workflow, action: string) => Object.entries(w.jobs).filter(([, j]) => (j.steps ?? []).some((s) => s.uses?.startsWith(`${action}@`)));

/** Write scopes a job may hold, and why. Anything else must be read or none. */
const ALLOWED_WRITES: Record<string, Record<string, string[]>> = {
  'pull-request.yml': { diff: ['pull-requests'] },
  'rendered-branch.yml': { commit: ['contents'] },
  'drift.yml': { infrastructure: ['id-token'] },
};

describe('GitHub Actions workflows', () => {
  it('exist for pull requests, pushes to main and a schedule', () => {
    expect(files.sort()).toEqual(['drift.yml', 'pull-request.yml', 'rendered-branch.yml']);
    expect(byTrigger('pull_request')).toHaveLength(1);
    expect(byTrigger('push')).toHaveLength(1);
    expect(byTrigger('schedule')).toHaveLength(1);
    expect(byTrigger('pull_request_target')).toHaveLength(0); // never run PR code with a privileged token
  });

  it('pin every action to a full commit SHA (with its version in a comment) or an exact version tag', () => {
    for (const [file, w] of workflows) {
      const uses = [...Object.values(w.jobs).map((j) => j.uses), ...steps(w).map((s) => s.uses)].filter((u): u is string => !!u);
      expect(uses.length, file).toBeGreaterThan(0);
      for (const u of uses) {
        if (u.startsWith('./')) continue; // a local action or workflow is pinned by this commit
        expect(u, `${file}: ${u}`).toMatch(/^[\w.-]+\/[\w./-]+@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/);
      }
      for (const line of text(file).split('\n').filter((l) => /uses:\s*\S+@[0-9a-f]{40}/.test(l))) {
        expect(line, `${file}: a SHA pin names its version`).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it('grant nothing by default and only the permissions each job needs', () => {
    for (const [file, w] of workflows) {
      expect(w.permissions, `${file}: top-level permissions`).toEqual({});
      for (const [name, job] of Object.entries(w.jobs)) {
        const perms = job.permissions;
        expect(typeof perms, `${file} ${name}: explicit permissions`).toBe('object');
        for (const [scope, level] of Object.entries(perms as Record<string, string>)) {
          expect(['read', 'write', 'none'], `${file} ${name} ${scope}`).toContain(level);
          if (level === 'write') expect(ALLOWED_WRITES[file]?.[name] ?? [], `${file} ${name} may not write ${scope}`).toContain(scope);
        }
        // whatever may write keeps its token out of .git/config
        const writes = Object.entries(perms as Record<string, string>).some(([s, l]) => l === 'write' && s !== 'id-token');
        for (const s of (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
          if (writes) expect(s.with?.['persist-credentials'], `${file} ${name}`).toBe(false);
        }
      }
    }
  });

  it('reach AWS only through OIDC role assumption, with no long-lived keys anywhere', () => {
    for (const [file, w] of workflows) {
      const raw = text(file);
      expect(raw, file).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
      expect(raw, file).not.toMatch(/secrets\.(AWS|PULUMI)_/); // no stored cloud credentials, Pulumi token included
      expect(raw, file).not.toMatch(/write-all|read-all/);
      for (const [name, job] of jobsUsing(w, 'aws-actions/configure-aws-credentials')) {
        expect((job.permissions as Record<string, string>)['id-token'], `${file} ${name}`).toBe('write');
        const step = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
        expect(step.with?.['role-to-assume'], `${file} ${name}`).toMatch(/^\$\{\{ vars/);
      }
      for (const [name, job] of jobsUsing(w, 'pulumi/auth-actions')) {
        expect((job.permissions as Record<string, string>)['id-token'], `${file} ${name}`).toBe('write');
      }
      // id-token only where something exchanges it
      for (const [name, job] of Object.entries(w.jobs)) {
        if (typeof job.permissions === 'object' && job.permissions['id-token'] === 'write') {
          expect(jobsUsing(w, 'aws-actions/configure-aws-credentials').map(([n]) => n), `${file} ${name}`).toContain(name);
        }
      }
    }
  });

  it('on pull requests: npm ci, npm run check, and the markdown diff posted as a comment by the project code', () => {
    const [[, w]] = byTrigger('pull_request') as [[string, Workflow]];
    const runs = steps(w).map((s) => s.run ?? '');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run check');
    const post = steps(w).find((s) => s.run?.includes('--post github'))!;
    expect(post.run).toBe('npm run --silent diff -- --base "origin/${BASE_REF}" --post github');
    expect(post.env).toMatchObject({ BASE_REF: '${{ github.base_ref }}', GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    expect(steps(w).some((s) => s.uses?.startsWith('actions/github-script@'))).toBe(false); // no inline script
    const [name, diffJob] = Object.entries(w.jobs).find(([, j]) => j.steps?.includes(post))!;
    expect(ALLOWED_WRITES['pull-request.yml']![name]).toEqual(['pull-requests']);
    expect(diffJob.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!.with?.['fetch-depth']).toBe(0);
  });

  it('on pushes to main: the rendered branch is committed and pushed with the job token', () => {
    const [[, w]] = byTrigger('push') as [[string, Workflow]];
    expect((w.on.push as { branches: string[] }).branches).toEqual(['main']);
    // The layout comes from manifests/argocd.yaml: the same step writes the environment branches and notes.
    const push = steps(w).find((s) => s.run === 'npm run rendered:commit -- --push')!;
    expect(push).toBeDefined();
    expect(push.env?.GITHUB_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
  });

  it('on a schedule: pulumi preview --expect-no-changes per stack over OIDC, and the drySha check', () => {
    const [[, w]] = byTrigger('schedule') as [[string, Workflow]];
    const infra = jobsUsing(w, 'pulumi/actions')[0]![1];
    expect(infra.strategy?.matrix?.include?.map((m) => m.stack)).toEqual(['dev', 'staging', 'prod']);
    const preview = infra.steps!.find((s) => s.uses?.startsWith('pulumi/actions@'))!;
    expect(preview.with).toMatchObject({ command: 'preview', 'expect-no-changes': true, refresh: true, 'work-dir': 'infra' });
    expect(String(preview.with?.['stack-name'])).toContain('matrix.stack');
    // the drySha check and the rendered diff: ci/drift.sh (test/ci/drift.test.ts), shared with GitLab
    expect(steps(w).find((s) => s.run?.includes('ci/drift.sh'))?.run).toBe('bash ci/drift.sh rendered || [ $? -eq 3 ]');
  });
});
