import { describe, expect, it } from 'vitest';
import { BadPattern, branchDirectories, filterApps, goPathMatchOrError } from './go-path-match.js';

/** Pattern, name and what Go 1.19's path.Match returned for them (run on Go itself). */
const GO_VECTORS: [string, string, boolean | 'error'][] = [
  ["dev/*", "dev/orders-api", true],
  ["dev/*", "dev", false],
  ["dev/*", "dev/orders-api/x", false],
  ["dev/*", "argocd", false],
  ["dev/*", "argocd/x", false],
  ["*", "dev", true],
  ["*", "dev/orders-api", false],
  ["*/*", "dev/orders-api", true],
  ["*/*", "argocd/apps", true],
  ["*/*", "a/b/c", false],
  ["dev/?rders-api", "dev/orders-api", true],
  ["dev/?", "dev/a", true],
  ["dev/?", "dev/ab", false],
  ["a?b", "a/b", false],
  ["dev/[a-o]*", "dev/orders-api", true],
  ["dev/[a-o]*", "dev/storefront", false],
  ["dev/[^a-o]*", "dev/storefront", true],
  ["dev/[!a]*", "dev/storefront", false],
  ["dev/[\\-]x", "dev/-x", true],
  ["dev/\\*", "dev/*", true],
  ["dev/\\*", "dev/a", false],
  ["dev/*-api", "dev/orders-api", true],
  ["dev/*-api", "dev/orders-worker", false],
  ["dev/*a*", "dev/catalog-api", true],
  ["dev/[", "dev/a", 'error'],
  ["dev/[]", "dev/a", 'error'],
  ["dev/[a-]", "dev/a", 'error'],
  ["dev/\\", "dev/a", 'error'],
  ["[x", "a", 'error'],
  ["*x[", "ab", 'error'],
  ["dev/**", "dev/a/b", false],
  ["dev/*/", "dev/a/", true],
  ["", "", true],
  ["", "a", false],
  ["a*b*c", "axxbyyc", true],
  ["a*b*c", "axxbyyc/", false],
  ["prod/*", "prod-eu/x", false],
  ["staging/cluster-metadata", "staging/cluster-metadata", true],
  ["[a-c-e]", "d", 'error'],
  ["[a-c-e]", "-", 'error'],
  ["*[", "a", 'error'],
];

describe('Go path.Match port', () => {
  it.each(GO_VECTORS)('path.Match(%j, %j) is %s, as in Go', (pattern, name, want) => {
    const got = goPathMatchOrError(pattern, name);
    expect(got instanceof BadPattern ? 'error' : got).toBe(want);
  });

  it('never lets * or ? cross a /', () => {
    expect(goPathMatchOrError('*', 'argocd/applicationset-dev.yaml')).toBe(false);
    expect(goPathMatchOrError('dev/*', 'dev/orders-api/README.md')).toBe(false);
    expect(goPathMatchOrError('dev?orders-api', 'dev/orders-api')).toBe(false);
  });
});

describe('Argo CD git directory generator filter', () => {
  const dirs = ['argocd', 'dev', 'dev/cluster-metadata', 'dev/orders-api', 'prod', 'prod/orders-api'];

  it('includes what an item matches', () => {
    expect(filterApps([{ path: 'dev/*' }], dirs)).toEqual(['dev/cluster-metadata', 'dev/orders-api']);
    expect(filterApps([{ path: '*' }], dirs)).toEqual(['argocd', 'dev', 'prod']);
  });

  it('lets excludes win over includes, whatever their order', () => {
    expect(filterApps([{ path: 'dev/cluster-metadata', exclude: true }, { path: 'dev/*' }], dirs)).toEqual(['dev/orders-api']);
    expect(filterApps([{ path: '*/*' }, { path: 'argocd/*', exclude: true }, { path: 'prod/*', exclude: true }], dirs)).toEqual([
      'dev/cluster-metadata',
      'dev/orders-api',
    ]);
  });

  it('treats a malformed pattern as matching nothing', () => {
    expect(filterApps([{ path: 'dev/[' }], dirs)).toEqual([]);
    expect(filterApps([{ path: 'dev/*' }, { path: 'dev/[', exclude: true }], dirs)).toEqual(['dev/cluster-metadata', 'dev/orders-api']);
  });

  it('lists every directory of a file tree, skipping hidden ones as the repo server does', () => {
    expect(branchDirectories(['hydrator.metadata', '.github/workflows/x.yaml', 'dev/a/x.yaml', 'dev/a/.hidden/y.yaml', 'argocd/z.yaml'])).toEqual([
      'argocd',
      'dev',
      'dev/a',
    ]);
  });
});
