/**
 * How large an input may be: a file, one value in it, how deeply it nests, and one rendered
 * object. Every stage after loading walks inputs recursively (the YAML parser, the reference
 * resolver, the schema validators, the writer, the check), so depth is bounded where a file is
 * parsed (js-yaml's maxDepth, load/yaml.ts); sizes are bounded where a file is read (the
 * workspace, by its size before reading it), where a value is parsed, and where an object is
 * serialised (engine/unit-group.ts), with the file named. Measured before these limits: a 10 MB config value ended in "Maximum call stack size
 * exceeded" inside the writer (V8's regular expression backtracking stack, a plain-scalar
 * test, overflows near 8 million characters), and a 5 MB value rendered a 5 MB ConfigMap that
 * the API server refuses. The limits sit far above real inputs (the example fleet and the
 * Kustomize corpus nest at most 15 levels deep; upstream CRDs about 30) and far below where
 * anything breaks. Pure.
 */
import { BridgeError } from '../core/errors.js';

/** One input file: 4 MiB. A bundle of vendored manifests larger than this splits into files. */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024;
/** One string value in an input (or one generator file's content): 1 MiB, what a ConfigMap may hold in all. */
export const MAX_VALUE_CHARS = 1024 * 1024;
/** Nesting of mappings and sequences in one input document. */
export const MAX_DEPTH = 100;
/** One rendered object, serialised: 1.5 MiB, the largest request the Kubernetes API server (etcd) takes. */
export const MAX_OBJECT_BYTES = 1536 * 1024;

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

/** The error for an input file over MAX_INPUT_FILE_BYTES. */
export function fileTooLarge(file: string, bytes: number): BridgeError {
  return new BridgeError({
    code: 'io',
    message: `${file} is ${mib(bytes)}, more than the ${mib(MAX_INPUT_FILE_BYTES)} an input file may hold`,
    file,
    hint: 'an input is a spec or a few manifests: split vendored manifests into several files (one per object or kind), and keep data (certificates, large configuration) in the secret store or an image, not in git',
  });
}

/** Whether `text` is over `limit` UTF-8 bytes (counted only when it may be: a character is at most 3 bytes per UTF-16 unit). */
function over(text: string, limit: number): boolean {
  return text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit;
}

/** Whether a rendered object's YAML is over MAX_OBJECT_BYTES. */
export function overObjectLimit(yaml: string): boolean {
  return over(yaml, MAX_OBJECT_BYTES);
}

/** The error for a rendered object over MAX_OBJECT_BYTES, blamed on the input it came from. */
export function objectTooLarge(rendered: string, yaml: string, source: string): BridgeError {
  return new BridgeError({
    code: 'render',
    message: `${rendered} would be ${mib(Buffer.byteLength(yaml, 'utf8'))}, more than the ${mib(MAX_OBJECT_BYTES)} the Kubernetes API server accepts for one object`,
    file: source,
    hint: 'split the data over several objects (several ConfigMaps), or keep it out of git (an image, object storage, the secret store)',
  });
}

/** The error for a value over MAX_VALUE_CHARS, at its file and line. */
export function valueTooLong(file: string, length: number, line?: number, pointer?: string): BridgeError {
  return new BridgeError({
    code: 'schema',
    message: `a value of ${length} characters, more than the ${MAX_VALUE_CHARS} (1 MiB) a value may hold`,
    file,
    ...(line !== undefined && { line }),
    ...(pointer !== undefined && { pointer }),
    hint: 'Kubernetes refuses a ConfigMap over 1 MiB: keep large data out of the spec (an image, a volume from object storage, the secret store)',
  });
}

/** The error for nesting deeper than MAX_DEPTH, at its file and line. */
export function nestedTooDeep(file: string, line: number): BridgeError {
  return new BridgeError({
    code: 'yaml-syntax',
    message: `mappings and sequences nested more than ${MAX_DEPTH} levels deep`,
    file,
    line,
    hint: 'no spec or manifest nests this deep; look for a runaway indentation or an unclosed [ or { above this line',
  });
}
