/**
 * The project's input files: which they are, and reading them all into memory. Everything after
 * this is pure and works on the returned SourceSet (load/), so tests can build one by hand.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';
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

export function readSources(root: string): SourceSet {
  const files: string[] = [];
  const walk = (dir: string) => {
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
      // The entry's type comes with the listing; only a symbolic link needs a stat to follow it.
      const isDirectory = entry.isSymbolicLink() ? statSync(full).isDirectory() : entry.isDirectory();
      if (isDirectory) {
        refuseDirectoryAsSpec(relative(root, full).split(sep).join('/'));
        walk(full);
      }
      else if (acceptInput(name, 'file', relative(root, full).split(sep).join('/'))) files.push(full);
    }
  };
  for (const d of INPUT_DIRS) walk(join(root, d));
  files.sort(compareStrings);
  const out: SourceSet = new Map();
  for (const f of files) out.set(relative(root, f).split(sep).join('/'), readFileSync(f, 'utf8'));
  return out;
}
