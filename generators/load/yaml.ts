/**
 * Safe YAML parsing for input files: js-yaml's core schema (no custom tags), duplicate keys
 * rejected, aliases refused (they are how alias bombs explode), nesting and value length bounded
 * (limits.ts: what comes after walks the data recursively), and a locator that maps a JSON
 * pointer back to the line it came from so errors can name it.
 */
import yaml from 'js-yaml';
import { BridgeError, pointerOf } from '../core/errors.js';
import { MAX_DEPTH, MAX_VALUE_CHARS, nestedTooDeep, valueTooLong } from './limits.js';

export interface ParsedDocument {
  file: string;
  data: unknown;
  /** 1-based line of the node at `pointer`, or of its nearest located ancestor. */
  lineOf(pointer: string): number | undefined;
}

interface Node {
  line: number;
  kind: string | null;
  result: unknown;
  children: Node[];
}

/** Upper bound on nodes in one input file: far above any real spec, far below a bomb. */
const MAX_NODES = 200_000;

/** `schema` is the core schema unless a reader of foreign files needs another (Kustomize's, for vendored manifests). */
export function parseYaml(text: string, file: string, schema: yaml.Schema = yaml.CORE_SCHEMA): ParsedDocument {
  const stack: Node[] = [];
  let root: Node | undefined;
  let count = 0;
  const listener = (event: 'open' | 'close', state: { line: number; kind: string | null; result: unknown }) => {
    if (event === 'open') {
      if (++count > MAX_NODES) {
        throw new BridgeError({
          code: 'yaml-syntax',
          message: `more than ${MAX_NODES} YAML nodes`,
          file,
          line: state.line + 1,
          hint: 'split the file; an input spec is never this large',
        });
      }
      stack.push({ line: state.line + 1, kind: null, result: undefined, children: [] });
      return;
    }
    const node = stack.pop();
    if (!node) return;
    node.kind = state.kind;
    node.result = state.result;
    if (typeof state.result === 'string' && state.result.length > MAX_VALUE_CHARS) throw valueTooLong(file, state.result.length, node.line);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
  };

  let data: unknown;
  try {
    // The parser recurses per level, and so does everything after it: js-yaml stops at maxDepth.
    data = yaml.load(text, { filename: file, schema, json: false, listener, maxDepth: MAX_DEPTH } as yaml.LoadOptions);
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    if (e instanceof yaml.YAMLException) {
      if (/^nesting exceeded maxDepth/.test(e.reason)) throw nestedTooDeep(file, (e.mark?.line ?? 0) + 1);
      const duplicate = /duplicated mapping key/.test(e.reason);
      throw new BridgeError({
        code: duplicate ? 'yaml-duplicate-key' : 'yaml-syntax',
        message: duplicate ? `duplicate key: ${e.reason}` : `YAML syntax error: ${e.reason}`,
        file,
        line: e.mark ? e.mark.line + 1 : undefined,
        hint: duplicate
          ? 'a key may appear once per mapping; remove or merge the repeated one'
          : (e.mark && referenceInFlow(text, e.mark.line)) ??
            'fix the YAML syntax (indentation, quoting, a missing colon); a YAML-aware editor with the $schema comment helps',
      });
    }
    throw e;
  }

  rejectAliases(data, file, text);

  // The pointer -> line index is built on the first lineOf call: most documents never need one.
  let lines: Map<string, number> | undefined;
  const buildIndex = (): Map<string, number> => {
    const index = new Map<string, number>();
    const visit = (node: Node, segments: (string | number)[]) => {
      index.set(pointerOf(segments), node.line);
      if (node.kind === 'mapping') {
        for (let i = 0; i + 1 < node.children.length; i += 2) {
          const key = node.children[i]!;
          const value = node.children[i + 1]!;
          const path = [...segments, String(key.result)];
          visit(value, path);
          index.set(pointerOf(path), key.line);
        }
      } else if (node.kind === 'sequence') {
        node.children.forEach((child, i) => visit(child, [...segments, i]));
      }
    };
    if (root) visit(root, []);
    root = undefined;
    return index;
  };

  return {
    file,
    data,
    lineOf(pointer: string) {
      lines ??= buildIndex();
      let p = pointer;
      for (;;) {
        const line = lines.get(p);
        if (line !== undefined) return line;
        if (p === '') return undefined;
        p = p.slice(0, p.lastIndexOf('/'));
      }
    },
  };
}

/**
 * A `${...}` reference inside a flow collection (`[a, ${b}]`, `{k: ${v}}`): its braces are flow
 * syntax to YAML, so the item must be quoted. The hint for a syntax error on such a line (or the
 * line before it, where an unclosed collection started).
 */
function referenceInFlow(text: string, line: number): string | undefined {
  const lines = text.split('\n');
  for (const l of [lines[line], lines[line - 1]]) {
    const code = l?.replace(/\s#.*$/, '') ?? '';
    const m = /[[{][^'"]*?(\S*\$\{[^}]*\}[^,\]}]*)/.exec(code);
    if (m) {
      return `\`\${...}\` inside a flow collection ([...] or {...}) must be quoted: its braces are YAML syntax there; write "${m[1]!.trim()}" in quotes, or use a block list (one "- item" per line)`;
    }
  }
  return undefined;
}

/**
 * js-yaml resolves an alias to the same object, so a shared reference in the result is an
 * alias. Specs never need one, and refusing them stops alias bombs before anything walks them.
 */
function rejectAliases(data: unknown, file: string, text: string): void {
  const seen = new Set<object>();
  const walk = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (seen.has(value)) return true;
    seen.add(value);
    for (const child of Object.values(value)) if (walk(child)) return true;
    return false;
  };
  const aliasLine = () => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => /(^|[\s:[{,-])\*[^\s,\]}]+/.test(l.replace(/#.*$/, '')) && !/^\s*#/.test(l));
    return i >= 0 ? i + 1 : undefined;
  };
  if (walk(data)) {
    throw new BridgeError({
      code: 'yaml-alias',
      message: 'YAML anchors and aliases (&name / *name) are not allowed in input files',
      file,
      line: aliasLine(),
      hint: 'write the values out; overlays are the way to share values between environments',
    });
  }
}

/** Parses JSON with the same error shape as YAML files. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new BridgeError({
      code: 'json-syntax',
      message: `JSON syntax error: ${message}`,
      file,
      line,
      hint: 'the snapshot is what `pulumi stack output --json` prints; regenerate it with `npm run infra:outputs -- --stack <env>`',
    });
  }
}
