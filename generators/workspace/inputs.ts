/**
 * The project's input files: which they are, and reading them all into memory. Everything after
 * this is pure and works on the returned SourceSet (load/), so tests can build one by hand.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
import { fileTooLarge, MAX_INPUT_FILE_BYTES } from '../load/limits.js';
import type { SourceSet } from '../load/sources.js';

export type { SourceSet } from '../load/sources.js';

/** schemas/crds/ holds the project's declared schemas of custom resources (generators/check/declared-schemas.ts). */
export const INPUT_DIRS = ['manifests', 'infra/outputs', 'schemas/crds'] as const;

/**
 * The entries a scan of the input directories lists: what readSources reads. Under manifests/
 * every file (a Kustomize app reads generator files of any name, a chart its modules), elsewhere
 * YAML and JSON; never a dot-file.
 */
export const acceptInput = (name: string, kind: 'file' | 'dir' | 'other', path: string) => {
  if (kind === 'dir') refuseDirectoryAsSpec(path);
  return !name.startsWith('.') && (kind !== 'file' || path.startsWith('manifests/') || /\.(ya?ml|json)$/.test(name));
};

/** Paths that name a spec file: as a directory, the app or environment would silently vanish. */
const SPEC_FILE_PATH = /^manifests\/(?:(?:apps|addons)\/[^/]+\/(?:app\.ya?ml|chart\.ts|exemptions\.ya?ml|aws-access\.ya?ml)|environments\/[^/]+\.ya?ml|argocd\.ya?ml)$|^infra\/outputs\/[^/]+\.json$/;

/** A directory where a spec file belongs (`manifests/apps/x/app.yaml/`) is an error naming it. */
export function refuseDirectoryAsSpec(path: string): void {
  if (!SPEC_FILE_PATH.test(path)) return;
  throw new BridgeError({
    code: 'io',
    message: `${path} is a directory, not a file`,
    file: path,
    hint: `${path.slice(path.lastIndexOf('/') + 1)} must be a file here; remove the directory (move what it holds elsewhere) and write the file`,
  });
}

/** An input file over the size limit (load/limits.ts) is refused before it is read. */
export function refuseLargeInput(path: string, size: number): void {
  if (size > MAX_INPUT_FILE_BYTES) throw fileTooLarge(path, size);
}

/**
 * Reads the input files, following symbolic links that stay inside the project (`root`): one
 * that leads outside it, or into a loop, is an error naming it (what is rendered must be what
 * the repository holds).
 */
export function readSources(root: string): SourceSet {
  const realRoot = realpathSync(root);
  const files: string[] = [];
  const walk = (dir: string, chain: ReadonlySet<string>) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join('/');
      // The entry's type comes with the listing; only a symbolic link needs a stat to follow it.
      const link = entry.isSymbolicLink() ? followLink(full, rel, realRoot) : undefined;
      const isDirectory = link ? link.directory : entry.isDirectory();
      if (isDirectory) {
        refuseDirectoryAsSpec(rel);
        const real = link?.real ?? full;
        if (chain.has(real)) throw linkError(rel, 'leads back into a directory that holds it (a loop)', 'point the link at a file or directory that does not contain it, or copy what it should share');
        walk(full, new Set([...chain, real]));
      } else if (acceptInput(name, 'file', rel)) files.push(full);
    }
  };
  for (const d of INPUT_DIRS) {
    const top = join(root, d);
    const real = followLink(top, d, realRoot);
    if (real) walk(top, new Set([real.real]));
  }
  files.sort(compareStrings);
  const out: SourceSet = new Map();
  for (const f of files) {
    const path = relative(root, f).split(sep).join('/');
    refuseLargeInput(path, statSync(f).size);
    out.set(path, readFileSync(f, 'utf8'));
  }
  return out;
}

/** Where a path (a link, or a directory that may be one) leads: inside the project, or an error. Undefined if it does not exist. */
function followLink(full: string, rel: string, realRoot: string): { real: string; directory: boolean } | undefined {
  if (!lstatSync(full, { throwIfNoEntry: false })) return undefined;
  let real: string;
  try {
    real = realpathSync(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw linkError(rel, 'is a symbolic link that leads back to itself (a loop)', 'point the link at a file or directory, or replace it with a copy');
    throw linkError(rel, 'is a symbolic link to nothing (its target does not exist)', 'point the link at a file or directory inside the repository, or delete it');
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw linkError(rel, `leads outside the repository (to ${real})`, 'inputs are what the repository holds: copy the file or directory into the repository (a symbolic link that stays inside it is fine)');
  }
  return { real, directory: statSync(real).isDirectory() };
}

function linkError(rel: string, what: string, hint: string): BridgeError {
  return new BridgeError({ code: 'io', message: `${rel} ${what}`, file: rel, hint });
}
