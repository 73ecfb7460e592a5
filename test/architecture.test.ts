/**
 * The shape of generators/, held as the README's Layout table describes it: no import cycle (type
 * imports included), no folder importing a folder of a higher layer, the pure layers free of the
 * file system and of threads, and core/ free of the CLI's packaging. Imports are read with
 * TypeScript's own pre-processor, so `import type`, `export ... from` and `import()` all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const generators = join(repoRoot, 'generators');

/** Folders of generators/ from the bottom layer up: a folder may import only folders of lower layers. */
const LAYERS: string[][] = [
  ['core'],
  ['load'],
  ['charts'],
  ['metadata', 'check', 'kustomize'],
  ['argocd', 'sources'],
  ['engine'],
  ['git', 'workspace', 'forge'],
  ['diff', 'threads'],
  ['app'],
  ['cli'],
];
const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

/** Folders that touch no file system, thread or process: they take data and return data. */
const PURE = ['core', 'load', 'charts', 'metadata', 'check', 'kustomize', 'argocd', 'sources', 'engine', 'diff'];
/** Files of pure folders that read the tool's own installed files (never the project's). */
const READS_THE_TOOL: Record<string, string> = {
  'check/kubernetes-schema.ts': 'lists the installed Kubernetes model packages to load a kind by path',
  'load/schemas.ts': "reads the tool's own JSON Schemas",
  'load/generate-types.ts': 'the `npm run schemas:types` script, not part of a render',
  'check/generate-argo-rollouts.ts': 'the `npm run schemas:types` script, not part of a render',
  'check/api-server/generate-time-zones.ts': 'the `npm run tz:update` script (reads a tzdata.zi), not part of a render',
  'diff/base.ts': 'reads the base ref through git',
};

function sourceFiles(dir = generators, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(full, out);
    else if (/\.(ts|mts|mjs)$/.test(e.name)) out.push(full);
  }
  return out;
}

const files = sourceFiles();
const rel = (f: string) => relative(generators, f).split('\\').join('/');
const folderOf = (f: string) => rel(f).split('/')[0]!;

/** Each file's imports of other files of generators/ (resolved .js -> .ts) and of packages. */
const imports = new Map(
  files.map((f) => {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
    const local: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) packages.push(fileName);
      else {
        const target = resolve(dirname(f), fileName);
        const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts')];
        const hit = candidates.find((c) => files.includes(c));
        if (hit) local.push(hit);
      }
    }
    return [f, { local, packages }] as const;
  }),
);

describe('generators/', () => {
  it('has every folder in a layer (a new folder needs a place in LAYERS and in the README Layout table)', () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].filter((f) => !rank.has(f))).toEqual([]);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect([...folders].filter((f) => !readme.includes(`\`generators/${f}/\``))).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of imports.get(f)!.local) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' > '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('has no folder importing a folder of its own or a higher layer', () => {
    const wrong: string[] = [];
    for (const [f, { local }] of imports) {
      for (const t of local) {
        const [a, b] = [folderOf(f), folderOf(t)];
        if (a !== b && rank.get(b)! >= rank.get(a)!) wrong.push(`${rel(f)} imports ${rel(t)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the pure layers off the file system, threads and processes', () => {
    const io = /^(node:)?(fs|fs\/promises|worker_threads|child_process)$/;
    const wrong = [...imports]
      .filter(([f]) => PURE.includes(folderOf(f)) && !(rel(f) in READS_THE_TOOL))
      .flatMap(([f, { packages }]) => packages.filter((p) => io.test(p)).map((p) => `${rel(f)} imports ${p}`));
    expect(wrong).toEqual([]);
  });

  it('keeps core/ free of the CLI packaging (no globals set by a bundle)', () => {
    const wrong = files.filter((f) => folderOf(f) === 'core' && /globalThis/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(wrong).toEqual([]);
  });

  it('imports no private path of a package (lib/ internals)', () => {
    const wrong = [...imports].flatMap(([f, { packages }]) => packages.filter((p) => /^(@[^/]+\/)?[^@/][^/]*\/lib\//.test(p)).map((p) => `${rel(f)} imports ${p}`));
    const required = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/require\)?\(['"]([^'"]+\/lib\/[^'"]+)['"]\)/g)].map((m) => `${rel(f)} requires ${m[1]}`));
    expect([...wrong, ...required]).toEqual([]);
  });

  it('awaits, inside try, what an async function returns from an async call (a finally would run before it settled)', () => {
    // A lock released in `finally` while `return commit()` still ran let two rendered-commit
    // runs move the branch at once: `return await` keeps the try block around the call.
    const parsed = files.filter((f) => /\.m?ts$/.test(f)).map((f) => ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));
    const isAsync = (n: ts.Node) => !!ts.getModifiers(n as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const asyncNames = new Set<string>();
    const collect = (n: ts.Node): void => {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && isAsync(n)) asyncNames.add(n.name.getText());
      if (ts.isVariableDeclaration(n) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)) && isAsync(n.initializer)) asyncNames.add(n.name.getText());
      ts.forEachChild(n, collect);
    };
    parsed.forEach(collect);
    const calleeName = (e: ts.Expression): string | undefined =>
      ts.isCallExpression(e) ? (ts.isIdentifier(e.expression) ? e.expression.text : ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : undefined) : undefined;
    const wrong: string[] = [];
    for (const sf of parsed) {
      const visit = (n: ts.Node, guarded: boolean, inAsync: boolean): void => {
        if (ts.isFunctionLike(n)) return ts.forEachChild(n, (c) => visit(c, false, isAsync(n)));
        if (ts.isTryStatement(n)) {
          visit(n.tryBlock, inAsync && (!!n.finallyBlock || !!n.catchClause), inAsync);
          if (n.catchClause) visit(n.catchClause, inAsync && !!n.finallyBlock, inAsync);
          if (n.finallyBlock) visit(n.finallyBlock, guarded, inAsync);
          return;
        }
        if (ts.isReturnStatement(n) && guarded && n.expression) {
          const name = calleeName(n.expression);
          if (name && asyncNames.has(name)) wrong.push(`${rel(sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} returns ${name}(...) without await`);
        }
        ts.forEachChild(n, (c) => visit(c, guarded, inAsync));
      };
      visit(sf, false, false);
    }
    expect(asyncNames.has('commitRenderedBranch')).toBe(true);
    expect(wrong).toEqual([]);
  });
});
