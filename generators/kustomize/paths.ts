/**
 * Project-relative POSIX paths for the in-memory file set: joining, normalising, containment and
 * the directory test (a directory exists when some file lies under it).
 */

/** Normalises `a/./b/../c` to `a/c`; returns undefined when the path climbs above the project root. */
export function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

export function join(dir: string, rel: string): string | undefined {
  return normalize(dir === '' ? rel : `${dir}/${rel}`);
}

/** True when `path` is `dir` or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A remote reference Kustomize would fetch: a URL, a git spec or a host-looking path. */
export function isRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    /^git@/.test(ref) ||
    /^git::/.test(ref) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) ||
    /\?ref=/.test(ref) ||
    /\.git(\/\/|$)/.test(ref)
  );
}
