// The build: the CLI as plain JavaScript in dist/ (gitignored), made by `npm run build` and by
// `prepare` (npm runs it at the end of `npm ci` and `npm install`), so a run never has to write
// inside the package. Running the build saves the TypeScript loader's per-file work at every
// start (measured on the example: `render --help` 0.39 s through tsx, 0.15 s from the build).
//
// dist/<digest>/ holds one build: main.mjs (the CLI), unit-worker.mjs (the render worker
// thread's entry), the plain JavaScript writer thread's entry file-writer.mjs (copied), and
// the chunks they share, so the `new URL('./x.mjs', import.meta.url)` of the
// sources finds the file beside it; the input schemas' ajv validators are in it as ajv's
// standalone code (load/precompiled-validators.ts). Two levels down like generators/<dir>/, so
// core/paths.ts finds the package root the same way from both, wherever the package is copied.
// Libraries are bundled too (fewer files to find and read at every start), but for those
// imported from node_modules as usual (EXTERNAL): cdk8s (cdk8s-plus-33's imports load it from
// there: one copy), the Kubernetes models (loaded by computed paths), the Pulumi SDK (one rare
// command) and tinypool (it starts its workers from a file of its own package).
//
// dist/build.json records the build's digest and the stat (size, mtime) of each of its inputs:
// every file under generators/ and schemas/, package-lock.json and node_modules/.package-lock.json
// (rewritten by every install), like git's index. At start, bin.mjs lists and stats them
// (a few milliseconds); when a stat differs (an edit, a checkout, a copy) the inputs are hashed
// and compared with the digest. That digest is also the code part of the cache keys
// (workspace/code-key.ts), so it covers all the code that runs.
//
// Plain JavaScript, since it runs before any TypeScript can. esbuild (a devDependency) is loaded
// only to build.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The package's root: generators/cli/ is two levels down. */
export const toolRoot = join(here, '..', '..');
export const distDir = join(toolRoot, 'dist');
const RECORD = join(distDir, 'build.json');
const RECORD_VERSION = 1;

/** Entry points, by their name in the build. */
const ENTRIES = { main: 'generators/cli/main.ts', 'unit-worker': 'generators/threads/unit-worker-main.ts' };
/**
 * Plain JavaScript thread entries the sources start by URL, and modules they require by a path
 * relative to themselves (precompiled validators loaded on first use), copied beside the build.
 */
const COPIED = ['generators/workspace/file-writer.mjs', 'generators/check/argo-rollouts.gen.cjs'];
/** Packages left out of the bundle (see above). */
const EXTERNAL = ['cdk8s', 'cdk8s-plus-33', 'cdk8s-plus-33/*', 'kubernetes-models', 'kubernetes-models/*', '@kubernetes-models/*', '@pulumi/*', 'tinypool'];
/** The build's inputs: the files under these directories with these extensions, and these files. */
const INPUT_DIRS = ['generators', 'schemas'];
const INPUT_FILE = /\.(ts|mts|mjs|js|cjs|json)$/;
const INPUT_FILES = ['package-lock.json', 'node_modules/.package-lock.json'];
/** A file modified this close to the build's look at it may change again within its mtime's tick: its stat is not trusted. */
const RACY_MS = 2000;
/** A build replaced this long ago goes (a process started from it a moment ago may still start its threads from it). */
const KEEP_OLD_MS = 10 * 60 * 1000;
const nodeMajor = process.versions.node.split('.')[0];

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Paths (relative to the root, `/`-separated) of the build's inputs, sorted; a missing file is listed too. */
function inputPaths() {
  const out = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(join(toolRoot, rel), { withFileTypes: true }).sort(byName);
    } catch {
      return;
    }
    for (const e of entries) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (INPUT_FILE.test(e.name)) out.push(path);
    }
  };
  for (const dir of INPUT_DIRS) walk(dir);
  return [...out, ...INPUT_FILES];
}

/** [path, size, mtimeMs] of each input; size -1 for a missing file. */
function inputStats() {
  return inputPaths().map((path) => {
    try {
      const s = statSync(join(toolRoot, path));
      return [path, s.size, s.mtimeMs];
    } catch {
      return [path, -1, 0];
    }
  });
}

/** The digest of the inputs' paths and bytes and Node's major version. */
function inputDigest(paths) {
  const h = createHash('sha256').update(`gitops-bridge build ${RECORD_VERSION}\0node ${nodeMajor}\0`);
  for (const path of paths) {
    h.update(path).update('\0');
    try {
      h.update(readFileSync(join(toolRoot, path)));
    } catch {
      h.update('\0missing');
    }
    h.update('\0');
  }
  return h.digest('base64url').slice(0, 32);
}

function readRecord() {
  try {
    const r = JSON.parse(readFileSync(RECORD, 'utf8'));
    return r?.version === RECORD_VERSION && typeof r.digest === 'string' && Array.isArray(r.files) ? r : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(record) {
  const tmp = `${RECORD}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  renameSync(tmp, RECORD);
}

/** The stats to record: a file modified within RACY_MS of `seen` gets a null mtime (never trusted: hashed). */
const recorded = (stats, seen) => stats.map(([path, size, mtime]) => [path, size, mtime >= seen - RACY_MS ? null : mtime]);

/**
 * The build in dist/ if it was made from the current inputs: its main.mjs and digest; else
 * undefined (none, or the sources changed since). Cheap when the stats match the record;
 * otherwise hashes the inputs, and when they still give the recorded digest (files touched or
 * copied, not changed), records the new stats if dist/ is writable, so the next start is cheap.
 */
export function currentBuild() {
  const record = readRecord();
  // Built for another Node (its target, and its digest's): build again.
  if (!record || record.node !== nodeMajor) return undefined;
  const main = join(distDir, record.dir, 'main.mjs');
  const seen = Date.now();
  const stats = inputStats();
  const same =
    stats.length === record.files.length &&
    stats.every(([path, size, mtime], i) => {
      const r = record.files[i];
      return r[0] === path && r[1] === size && r[2] !== null && r[2] === mtime;
    });
  if (!same) {
    if (inputDigest(stats.map(([path]) => path)) !== record.digest) return undefined;
    try {
      writeRecord({ ...record, files: recorded(stats, seen) });
    } catch {
      // read-only: the next start hashes again
    }
  }
  return existsSync(main) ? { main, digest: record.digest } : undefined;
}

/** The input schemas' validators as ajv's standalone code (an ES module exporting `precompiledValidators`). */
function validatorsModule(require) {
  // Compiled the same way as generators/load/schemas.ts does at run time: same schemas, same options.
  const { Ajv } = require('ajv');
  const standalone = require('ajv/dist/standalone').default;
  const { SCHEMA_NAMES, SCHEMA_FILES, SCHEMA_BASE, AJV_OPTIONS } = JSON.parse(readFileSync(join(toolRoot, 'generators/load/schema-set.json'), 'utf8'));
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  for (const file of SCHEMA_FILES) ajv.addSchema(JSON.parse(readFileSync(join(toolRoot, 'schemas', file), 'utf8')));
  const ident = (name) => `v_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const code = standalone(ajv, Object.fromEntries(SCHEMA_NAMES.map((name) => [ident(name), `${SCHEMA_BASE}${name}.schema.json`])));
  return `${code}\nexport const precompiledValidators = { ${SCHEMA_NAMES.map((name) => `${JSON.stringify(name)}: ${ident(name)}`).join(', ')} };\n`;
}

/**
 * Builds dist/ from the current sources; returns the new build's main.mjs and digest. Throws
 * when dist/ cannot be written or esbuild is not installed. A build goes to a directory of its
 * own and is renamed into place, then build.json is replaced, so processes building at once
 * never see half a build; builds replaced ten minutes ago or more are removed.
 */
export async function build() {
  // First what fails fastest on a read-only install.
  mkdirSync(distDir, { recursive: true });
  const tmp = join(distDir, `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const require = createRequire(join(toolRoot, 'package.json'));
    const esbuild = await import(pathToFileURL(require.resolve('esbuild')).href);
    for (let attempt = 1; ; attempt++) {
      const seen = Date.now();
      const stats = inputStats();
      const digest = inputDigest(stats.map(([path]) => path));
      const validators = validatorsModule(require);
      await esbuild.build({
        absWorkingDir: toolRoot,
        entryPoints: ENTRIES,
        outdir: tmp,
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: `node${nodeMajor}`,
        external: EXTERNAL,
        // Bundled CommonJS libraries call require(): give the bundle one.
        banner: { js: "import { createRequire as gitopsBridgeRequire } from 'node:module'; const require = gitopsBridgeRequire(import.meta.url);" },
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunk-[hash]',
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'silent',
        // workspace/code-key.ts takes this digest of the inputs for its own.
        define: { 'globalThis.GITOPS_BRIDGE_BUILD_DIGEST': JSON.stringify(digest) },
        plugins: [
          {
            name: 'precompiled-validators',
            setup(b) {
              b.onLoad({ filter: /[\\/]generators[\\/]load[\\/]precompiled-validators\.ts$/ }, () => ({ contents: validators, loader: 'js', resolveDir: toolRoot }));
            },
          },
        ],
      });
      for (const file of COPIED) copyFileSync(join(toolRoot, file), join(tmp, file.split('/').pop()));
      writeFileSync(join(tmp, 'README.txt'), 'A build of generators/ (generators/cli/build.mjs, `npm run build`). Safe to delete.\n');
      // A source saved while esbuild read them: build again, so the digest is of what was built.
      const after = inputStats();
      if (JSON.stringify(after) !== JSON.stringify(stats)) {
        if (attempt === 3) throw new Error('the sources kept changing during the build');
        for (const name of readdirSync(tmp)) rmSync(join(tmp, name), { recursive: true, force: true });
        continue;
      }
      const dir = digest;
      try {
        renameSync(tmp, join(distDir, dir));
      } catch {
        // Another process put the same build in place first.
        rmSync(tmp, { recursive: true, force: true });
      }
      const previous = readRecord();
      writeRecord({ version: RECORD_VERSION, digest, dir, node: nodeMajor, built: new Date(seen).toISOString(), files: recorded(stats, seen) });
      removeOld(dir, previous?.dir);
      return { main: join(distDir, dir, 'main.mjs'), digest };
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Removes builds (and builds that died) other than the current one, once KEEP_OLD_MS old; the one just replaced gets a fresh mtime. */
function removeOld(current, replaced) {
  const now = new Date();
  if (replaced && replaced !== current) {
    try {
      // Its age counts from now, when it stopped being current.
      writeFileSync(join(distDir, replaced, 'README.txt'), `Replaced by ${current} at ${now.toISOString()}. Safe to delete.\n`);
    } catch {
      // gone already
    }
  }
  const old = now.getTime() - KEEP_OLD_MS;
  for (const name of readdirSync(distDir)) {
    const path = join(distDir, name);
    if (name === current || name === 'build.json' || name.startsWith('build.json.')) continue;
    try {
      const s = statSync(path);
      const mtime = s.isDirectory() && existsSync(join(path, 'README.txt')) ? statSync(join(path, 'README.txt')).mtimeMs : s.mtimeMs;
      if (mtime < old) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process
    }
  }
}

// `node generators/cli/build.mjs` (npm run build, prepare): build unless dist/ is current.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const force = process.argv.includes('--force');
  try {
    const current = force ? undefined : currentBuild();
    const result = current ?? (await build());
    process.stdout.write(`gitops-bridge: ${current ? 'dist/ is up to date' : 'built'} (dist/${result.digest})\n`);
  } catch (e) {
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
    process.stderr.write(
      missing
        ? 'gitops-bridge: the build needs esbuild, a devDependency: install with `npm ci` (not --omit=dev)\n'
        : `gitops-bridge: build failed: ${e instanceof Error ? e.message : e}\n`,
    );
    process.exit(1);
  }
}
