/**
 * Go's path.Match, ported line by line from the Go standard library (src/path/match.go), and
 * the Argo CD git directory generator's filter built on it (applicationset/generators/git.go,
 * filterApps), so tests can compute which directories of the `rendered` branch an
 * ApplicationSet turns into Applications.
 *
 * Semantics: `*` matches any run of characters except `/`; `?` one character except `/`;
 * `[...]` a character class (`[^...]` negated, `a-z` ranges); `\` escapes. A malformed pattern
 * is an error (ErrBadPattern), which filterApps treats as "no match". Works on code points.
 */

export class BadPattern extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

type Chars = string[];

export function goPathMatch(pattern: string, name: string): boolean {
  let p: Chars = Array.from(pattern);
  let n: Chars = Array.from(name);
  pattern: while (p.length > 0) {
    const scanned = scanChunk(p);
    const { star, chunk } = scanned;
    p = scanned.rest;
    if (star && chunk.length === 0) return !n.includes('/');
    const first = matchChunk(chunk, n);
    if (first.ok && (first.rest.length === 0 || p.length > 0)) {
      n = first.rest;
      continue;
    }
    if (star) {
      for (let i = 0; i < n.length && n[i] !== '/'; i++) {
        const m = matchChunk(chunk, n.slice(i + 1));
        if (m.ok) {
          if (p.length === 0 && m.rest.length > 0) continue;
          n = m.rest;
          continue pattern;
        }
      }
    }
    // Before answering no, make sure the rest of the pattern is well-formed.
    while (p.length > 0) {
      const next = scanChunk(p);
      p = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return n.length === 0;
}

function scanChunk(pattern: Chars): { star: boolean; chunk: Chars; rest: Chars } {
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}

/** Matches chunk against the start of s; throws BadPattern for a malformed chunk. */
function matchChunk(chunk: Chars, s: Chars): { rest: Chars; ok: boolean } {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0]!;
    if (c === '[') {
      let r = '';
      if (!failed) {
        r = s[0]!;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        chunk = lo.rest;
        let hi = lo.char;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          hi = h.char;
          chunk = h.rest;
        }
        if (!failed && lo.char.codePointAt(0)! <= r.codePointAt(0)! && r.codePointAt(0)! <= hi.codePointAt(0)!) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPattern();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? { rest: [], ok: false } : { rest: s, ok: true };
}

function getEsc(chunk: Chars): { char: string; rest: Chars } {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new BadPattern();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPattern();
  }
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new BadPattern();
  return { char: chunk[0]!, rest };
}

/** Go's path.Match as Go returns it: match, or the ErrBadPattern error. */
export function goPathMatchOrError(pattern: string, name: string): boolean | BadPattern {
  try {
    return goPathMatch(pattern, name);
  } catch (e) {
    if (e instanceof BadPattern) return e;
    throw e;
  }
}

export interface DirectoryItem {
  path: string;
  exclude?: boolean;
}

/**
 * Argo CD's filterApps: a directory is generated when some include item matches it and no
 * exclude item does (excludes win). A malformed pattern matches nothing.
 */
export function filterApps(directories: DirectoryItem[], allPaths: string[]): string[] {
  return allPaths.filter((appPath) => {
    let include = false;
    let exclude = false;
    for (const item of directories) {
      const m = goPathMatchOrError(item.path, appPath);
      if (m !== true) continue;
      if (item.exclude) exclude = true;
      else include = true;
    }
    return include && !exclude;
  });
}

/**
 * The directories the repo server lists for a git directory generator: every directory of the
 * branch tree (relative, no `.`), hidden ones and their contents skipped.
 */
export function branchDirectories(files: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i);
      if (dir.some((d) => d.startsWith('.'))) break;
      dirs.add(dir.join('/'));
    }
  }
  return [...dirs].sort();
}
