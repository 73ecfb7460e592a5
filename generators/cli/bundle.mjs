// The CLI as plain JavaScript: the TypeScript sources under generators/ bundled by esbuild into
// node_modules/.cache/gitops-bridge/cli/<digest of the sources>/, built on the first run after
// any source changes and reused until then. Running the bundle saves the TypeScript loader's
// per-file work at every start (measured on the example: `render --help` 0.39 s through tsx,
// 0.15 s from the bundle), which is most of a no-op render's time.
//
// Plain JavaScript, since it runs before any TypeScript can. The digest covers the path and
// bytes of every source file, the installed packages (npm's node_modules/.package-lock.json,
// rewritten by every install) and esbuild's and Node's versions, so neither an edited source nor
// an upgraded library ever runs stale. Libraries are bundled too (fewer files to find and read at
// every start), but for those imported from node_modules as usual (EXTERNAL): cdk8s and
// constructs (cdk8s-plus-33's imports load them from there: one copy), the Kubernetes models
// (loaded by computed paths), the Pulumi SDKs (one rare command), esbuild and tsx. Everything in
// the bundle sits in one directory: main.mjs, unit-worker.mjs (the render worker thread's entry),
// the plain JavaScript thread entries file-writer.mjs and tree-walk.mjs (copied) and the chunks
// they share, so the `new URL('./x.mjs', import.meta.url)` of the sources finds the file beside it.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The installation's root: generators/cli/ is two levels down. */
export const toolRoot = join(here, '..', '..');
const generators = join(toolRoot, 'generators');

/** Entry points, by their name in the bundle. */
const ENTRIES = { main: 'generators/cli/main.ts', 'unit-worker': 'generators/render/unit-worker-main.ts' };
/** Plain JavaScript worker entries the sources start by URL, copied beside the bundle. */
const COPIED = ['generators/workspace/file-writer.mjs', 'generators/workspace/tree-walk.mjs'];
const SOURCE = /\.(ts|mts|mjs|js|cjs|json)$/;
/** Packages left out of the bundle (see above). */
const EXTERNAL = ['cdk8s', 'cdk8s-plus-33', 'cdk8s-plus-33/*', 'constructs', 'kubernetes-models', 'kubernetes-models/*', '@kubernetes-models/*', '@pulumi/*', 'esbuild', 'tsx', 'tsx/*'];

/** Every source file under generators/ (tests included: cheap, and never wrong), sorted. */
function sources(dir = generators, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) sources(full, out);
    else if (SOURCE.test(e.name)) out.push(full);
  }
  return out;
}

/** The digest a bundle of the current sources is kept under. */
export function bundleKey(esbuildVersion) {
  const h = createHash('sha256');
  // The root is in the key too: the bundle holds it (core/paths.ts), and a copied project has its own.
  h.update(`esbuild ${esbuildVersion}\0node ${process.versions.node}\0${toolRoot}\0`);
  for (const file of sources()) h.update(relative(toolRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const lock of ['package-lock.json', 'node_modules/.package-lock.json']) {
    try {
      h.update(lock).update('\0').update(readFileSync(join(toolRoot, lock))).update('\0');
    } catch {
      h.update(lock).update('\0missing\0');
    }
  }
  return h.digest('base64url').slice(0, 32);
}

/** Where bundles are kept. */
export const bundlesDir = join(toolRoot, 'node_modules', '.cache', 'gitops-bridge', 'cli');

/**
 * The bundle of the current sources (its main.mjs), built when missing; undefined when esbuild
 * is not installed. A build goes to a directory of its own and is renamed into place, so
 * processes building at once never see half a bundle; older bundles are removed
 * once built ten minutes ago or more.
 */
export async function bundle() {
  const require = createRequire(join(toolRoot, 'package.json'));
  let esbuildPath;
  try {
    esbuildPath = require.resolve('esbuild');
  } catch {
    return undefined;
  }
  const esbuildVersion = JSON.parse(readFileSync(join(dirname(esbuildPath), '..', 'package.json'), 'utf8')).version;
  const key = bundleKey(esbuildVersion);
  const dir = join(bundlesDir, key);
  const main = join(dir, 'main.mjs');
  if (existsSync(main)) return main;

  const esbuild = await import(pathToFileURL(esbuildPath).href);
  const tmp = join(bundlesDir, `.${key}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: toolRoot,
      entryPoints: ENTRIES,
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      external: EXTERNAL,
      // Bundled CommonJS libraries call require(): give the bundle one.
      banner: { js: "import { createRequire as gitopsBridgeRequire } from 'node:module'; const require = gitopsBridgeRequire(import.meta.url);" },
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      // core/paths.ts finds the tool's root from here, not from where the bundle is; and
      // workspace/code-key.ts takes this digest of the sources and installed packages for its own.
      define: { 'globalThis.GITOPS_BRIDGE_TOOL_ROOT': JSON.stringify(toolRoot), 'globalThis.GITOPS_BRIDGE_BUNDLE_KEY': JSON.stringify(key) },
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  for (const file of COPIED) copyFileSync(join(toolRoot, file), join(tmp, file.split('/').pop()));
  writeFileSync(join(tmp, 'sources.txt'), `Bundle of ${toolRoot}/generators, built by generators/cli/bundle.mjs. Safe to delete.\n`);
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process put the same bundle in place first.
    rmSync(tmp, { recursive: true, force: true });
  }
  // Bundles of older sources (and builds that died) go once ten minutes old: a process started
  // from one a moment ago may still be about to start its worker threads from it.
  const old = Date.now() - 10 * 60 * 1000;
  for (const name of readdirSync(bundlesDir)) {
    const path = join(bundlesDir, name);
    try {
      if (name !== key && statSync(path).mtimeMs < old) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process
    }
  }
  return main;
}
