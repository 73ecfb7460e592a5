/**
 * The one way this folder reports a problem: a BridgeError with code 'kustomize' that names the
 * file, the JSON pointer of the field (and its line when the file was parsed here) and a hint.
 */
import { BridgeError } from '../core/errors.js';
import type { ParsedDocument } from '../load/yaml.js';

export interface Where {
  file: string;
  pointer?: string;
  /** The parsed document the pointer points into, for the line. */
  doc?: ParsedDocument;
}

export function kustomizeError(where: Where, message: string, hint: string): BridgeError {
  const line = where.doc && where.pointer !== undefined ? where.doc.lineOf(where.pointer) : undefined;
  return new BridgeError({ code: 'kustomize', message, file: where.file, pointer: where.pointer, line, hint });
}

/** A BridgeError raised inside `fn` without a file gets `doc`'s file (and the line of its pointer). */
export function withDocument<T>(doc: ParsedDocument, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BridgeError && e.file === undefined) {
      throw new BridgeError({
        code: e.code,
        message: e.message,
        file: doc.file,
        pointer: e.pointer,
        line: e.line ?? (e.pointer !== undefined ? doc.lineOf(e.pointer) : undefined),
        hint: e.hint,
      });
    }
    throw e;
  }
}
