/**
 * One error type for everything a user can get wrong. It names the file, the place in it
 * (JSON pointer, and the line where known) and a hint; the CLI prints it and exits 1.
 */
export type ErrorCode =
  | 'yaml-syntax'
  | 'yaml-duplicate-key'
  | 'yaml-alias'
  | 'json-syntax'
  | 'schema'
  | 'name-mismatch'
  | 'invalid-name'
  | 'unknown-reference'
  | 'unknown-bridge-key'
  | 'secret-in-snapshot'
  | 'missing-snapshot'
  | 'file-collision'
  | 'patch'
  | 'chart'
  | 'render'
  | 'stale'
  | 'kubernetes-schema'
  | 'kubernetes-api'
  | 'policy'
  | 'usage'
  | 'io'
  // generators/kustomize: a kustomization it cannot or will not build
  | 'kustomize'
  // generators/git: the repository itself (see git/errors.ts)
  | 'git-object-missing'
  | 'git-corrupt-object'
  | 'git-bad-ref'
  | 'git-ref-locked'
  | 'git-ref-moved'
  | 'git-diverged'
  | 'git-push-rejected'
  | 'git-auth'
  | 'git-remote'
  | 'git-notes'
  // generators/forge: posting the diff as a pull-request comment or merge-request note
  | 'forge-env'
  | 'forge-auth'
  | 'forge-api';

export interface ErrorDetails {
  code: ErrorCode;
  message: string;
  file?: string;
  pointer?: string;
  line?: number;
  hint?: string;
}

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly pointer?: string;
  readonly line?: number;
  readonly hint?: string;

  constructor(details: ErrorDetails) {
    super(details.message);
    this.name = 'BridgeError';
    this.code = details.code;
    this.file = details.file;
    this.pointer = details.pointer;
    this.line = details.line;
    this.hint = details.hint;
  }

  /** `file:line` (or `file#pointer`) then the message, then the hint on its own line. */
  format(): string {
    let where = this.file ?? '';
    if (this.file && this.line !== undefined) where += `:${this.line}`;
    if (this.pointer !== undefined && this.pointer !== '') where += `${where ? ' ' : ''}at ${this.pointer}`;
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }

  toJSON(): ErrorDetails {
    return {
      code: this.code,
      message: this.message,
      ...(this.file !== undefined && { file: this.file }),
      ...(this.pointer !== undefined && { pointer: this.pointer }),
      ...(this.line !== undefined && { line: this.line }),
      ...(this.hint !== undefined && { hint: this.hint }),
    };
  }
}

/** Several errors found in one pass, so a user fixes them all at once instead of one per run. */
export class BridgeErrors extends Error {
  readonly errors: BridgeError[];
  constructor(errors: BridgeError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'BridgeErrors';
    this.errors = errors;
  }
}

/** Collects errors during a stage; `throwIfAny` ends the stage when something was wrong. */
export class ErrorSink {
  private readonly list: BridgeError[] = [];
  private readonly seen = new Set<string>();
  /** Adds an error; the same error found again (a base file seen through every environment) is kept once. */
  add(error: BridgeError | ErrorDetails): void {
    const e = error instanceof BridgeError ? error : new BridgeError(error);
    const key = JSON.stringify(e.toJSON());
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(e);
  }
  /** Runs fn, recording a BridgeError (or BridgeErrors) it throws instead of propagating it. */
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof BridgeError) this.add(e);
      else if (e instanceof BridgeErrors) e.errors.forEach((x) => this.add(x));
      else throw e;
      return undefined;
    }
  }
  get size(): number {
    return this.list.length;
  }
  throwIfAny(): void {
    if (this.list.length === 1) throw this.list[0];
    if (this.list.length > 1) throw new BridgeErrors(this.list);
  }
}

/** Every error inside `e`, flattened; unknown errors are returned as-is in `other`. */
export function bridgeErrorsOf(e: unknown): BridgeError[] | undefined {
  if (e instanceof BridgeError) return [e];
  if (e instanceof BridgeErrors) return e.errors;
  return undefined;
}

/** Encodes one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(segments: (string | number)[]): string {
  return segments.map((s) => '/' + pointerSegment(s)).join('');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** What to do about each file-system fault Node reports by its errno code. */
const FS_FAULTS: Record<string, { what: string; hint: string }> = {
  ENOSPC: { what: 'no space left on the device', hint: 'free space on that file system (df -h shows how much is left), then run the command again' },
  EDQUOT: { what: 'the disk quota is used up', hint: 'free space within your quota, then run the command again' },
  EPERM: { what: 'operation not permitted', hint: 'check the permissions and ownership of that path (ls -ld), and that nothing (another user, an editor, an immutable flag) holds it; then run the command again' },
  EACCES: { what: 'permission denied', hint: 'make that path writable for this user (ls -ld; chmod u+w or chown), or run from a checkout you own; then run the command again' },
  EROFS: { what: 'the file system is read-only', hint: 'the project sits on a read-only mount: run from a writable checkout (or remount it read-write)' },
  ENOTDIR: { what: 'a file is where a directory is expected', hint: 'move or delete that file so the directory can be there, then run the command again' },
  EISDIR: { what: 'a directory is where a file is expected', hint: 'move or delete that directory so the file can be there, then run the command again' },
  EMFILE: { what: 'too many open files in this process', hint: 'raise the open-file limit (ulimit -n 4096, or LimitNOFILE for a service) and run the command again' },
  ENFILE: { what: 'too many open files on this system', hint: 'close other programs or raise the system limit (fs.file-max), then run the command again' },
};

/** The errno codes fsFault() turns into a user error. */
export const FS_FAULT_CODES: readonly string[] = Object.keys(FS_FAULTS);

/**
 * A Node file-system error (ENOSPC, EACCES, ENOTDIR, ...) as a BridgeError naming the path and
 * what to do; undefined for anything else. `blocker`: for ENOTDIR, the path of the regular file
 * that stands where a directory should be (the I/O edge finds it; this module touches no disk).
 */
export function fsFault(e: unknown, blocker?: (path: string) => string | undefined): BridgeError | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  let err = e as { code?: unknown; path?: unknown; dest?: unknown; syscall?: unknown; message?: unknown };
  if (typeof err.code !== 'string' && typeof err.message === 'string') {
    // An errno error that crossed a thread (a writer or render worker) arrives as its message
    // only: "ENOSPC: no space left on device, open '/p/x'" (rename: "..., rename 'a' -> 'b'").
    const m = /\b(E[A-Z]+): [^,\n]*, (\w+) '([^'\n]*)'(?: -> '([^'\n]*)')?/.exec(err.message);
    if (m) err = { code: m[1], syscall: m[2], path: m[3], ...(m[4] !== undefined && { dest: m[4] }) };
  }
  if (typeof err.code !== 'string') return undefined;
  const fault = FS_FAULTS[err.code];
  if (!fault) return undefined;
  const path = typeof err.path === 'string' ? err.path : undefined;
  const dest = typeof err.dest === 'string' ? err.dest : undefined;
  const syscall = typeof err.syscall === 'string' ? err.syscall : undefined;
  let file = path;
  let what = fault.what;
  if (err.code === 'ENOTDIR') {
    const found = [dest, path].map((p) => (p ? blocker?.(p) : undefined)).find((p) => p !== undefined);
    if (found) {
      file = found;
      what = 'this is a regular file where a directory is expected';
    }
  }
  const during = syscall ? ` (${syscall}${path && file !== path ? ` ${path}` : ''}${dest ? ` -> ${dest}` : ''})` : '';
  return new BridgeError({ code: 'io', message: `${what}${during}`, ...(file !== undefined && { file }), hint: fault.hint });
}
