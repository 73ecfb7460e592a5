/**
 * Where each rendered object goes: rendered/<env>/<dir>/<kind>-<name>.yaml, one object per
 * file. A "unit" is one directory Argo CD turns into one Application (or argocd/ for the hub).
 */
import type { KubeObject, RenderedObject } from '../charts/object.js';
import { BridgeError } from '../core/errors.js';
import { compareStrings } from '../core/strings.js';

const SAFE_FILE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.yaml$/;

export function fileNameOf(object: KubeObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/**
 * A unit's files, sorted by name: each object mapped to its file, refusing unsafe names and two
 * objects in one file. Nothing is serialised yet.
 */
export function unitFiles(unit: string, objects: readonly RenderedObject[]): [string, RenderedObject][] {
  const files = new Map<string, RenderedObject>();
  for (const entry of objects) {
    const name = fileNameOf(entry.object);
    if (!SAFE_FILE.test(name) || name.includes('..')) {
      throw new BridgeError({
        code: 'invalid-name',
        message: `${entry.object.kind} "${entry.object.metadata.name}" cannot be written: its file name ${JSON.stringify(name)} is not a safe file name`,
        file: entry.source,
        hint: 'object names are DNS-1123 subdomains: lower-case letters, digits, "-" and "."',
      });
    }
    const other = files.get(name);
    if (other) {
      throw new BridgeError({
        code: 'file-collision',
        message: `${unit}/${name} would hold two objects: ${describe(other.object)} (from ${other.source}) and ${describe(entry.object)} (from ${entry.source})`,
        file: entry.source,
        hint: 'give one of them another name; rendered files are never overwritten',
      });
    }
    files.set(name, entry);
  }
  return [...files.keys()].sort(compareStrings).map((name) => [name, files.get(name)!]);
}

function describe(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`;
}

/** The unit a path under rendered/ belongs to: `<env>/<dir>`, or its first segment (argocd). */
export function unitOf(path: string, environments: ReadonlySet<string>): string {
  const parts = path.split('/');
  if (parts.length >= 3 && environments.has(parts[0]!)) return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : '';
}
