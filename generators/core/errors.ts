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
  | 'git-remote';

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
