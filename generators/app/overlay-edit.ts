/**
 * The smallest edit of an overlay file that sets values under `spec`: every byte outside the
 * values set stays as it was (comments, key order, quoting, flow collections, blank lines).
 * The file is parsed with the `yaml` package for its source ranges only; the text is spliced
 * by hand, because its Document API re-prints the whole file on output (it pads flow sequences,
 * `[a]` becoming `[ a ]`, and may re-wrap), while a promotion must show as the one line it is.
 *
 * - a key that exists with a scalar value: the value's characters are replaced;
 * - keys that do not exist: new lines at the end of the deepest block mapping that does, at its
 *   indentation (two more for each new level);
 * - a value of `null` writes `null`, which an overlay reads as "delete this key of the base".
 * A path through a flow collection or a sequence is refused (edit the file by hand).
 */
import { isMap, isScalar, parseDocument, stringify, type Node, type Pair, type YAMLMap } from 'yaml';
import { BridgeError } from '../core/errors.js';

export interface OverlayEdit {
  /** Keys under `spec`, e.g. ['image', 'tag']. */
  path: string[];
  value: unknown;
}

/** A value as it is written after `key: `: scalars as YAML writes them (quoted when they must be), collections in flow style. */
function inline(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Where new keys of a block mapping go: after the line holding its last character of content. */
function endOfContent(text: string, map: YAMLMap): number {
  let at = map.range![1];
  while (at > 0 && /\s/.test(text[at - 1]!)) at--;
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

function applyOne(text: string, edit: OverlayEdit, file: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new BridgeError({ code: 'yaml-syntax', message: doc.errors[0]!.message, file });
  const keys = ['spec', ...edit.path];
  let map = doc.contents as Node | null;
  let indent = 0;
  for (let i = 0; i < keys.length; i++) {
    if (!isMap(map) || map.flow) {
      throw new BridgeError({
        code: 'usage',
        message: `cannot set /${keys.join('/')} in place: /${keys.slice(0, i).join('/')} is not a block mapping`,
        file,
        hint: 'edit the file by hand (write the mapping in block style), then promote again',
      });
    }
    const pair = map.items.find((p: Pair) => isScalar(p.key) && p.key.value === keys[i]);
    if (map.items.length > 0) {
      const first = map.items[0]!.key as Node;
      indent = first.range![0] - lineStart(text, first.range![0]);
    }
    if (!pair) {
      // New lines for keys[i..] at the end of this mapping.
      const childIndent = map.items.length > 0 ? indent : indent + 2;
      const lines: string[] = [];
      keys.slice(i).forEach((k, j, rest) => {
        const pad = ' '.repeat(childIndent + 2 * j);
        lines.push(j === rest.length - 1 ? `${pad}${inline(k)}: ${inline(edit.value)}` : `${pad}${inline(k)}:`);
      });
      const at = map.items.length > 0 ? endOfContent(text, map) : text.length;
      const before = text.slice(0, at);
      return `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${lines.join('\n')}\n${text.slice(at)}`;
    }
    if (i === keys.length - 1) {
      const value = pair.value as Node | null;
      if (value && !isScalar(value)) {
        throw new BridgeError({ code: 'usage', message: `cannot set /${keys.join('/')} in place: it holds a ${isMap(value) ? 'mapping' : 'sequence'}`, file, hint: 'edit the file by hand' });
      }
      if (value?.range) return text.slice(0, value.range[0]) + inline(edit.value) + text.slice(value.range[1]);
      // `key:` with nothing after it: the value goes after the colon.
      const keyEnd = (pair.key as Node).range![1];
      const colon = text.indexOf(':', keyEnd);
      return `${text.slice(0, colon + 1)} ${inline(edit.value)}${text.slice(colon + 1)}`;
    }
    const next = pair.value as Node | null;
    if (next === null || (isScalar(next) && next.value === null)) {
      // `key:` with no value yet: the new keys go on the lines after it.
      const keyStart = (pair.key as Node).range![0];
      const keyIndent = keyStart - lineStart(text, keyStart);
      const nl = text.indexOf('\n', keyStart);
      const at = nl < 0 ? text.length : nl + 1;
      const lines = keys.slice(i + 1).map((k, j, rest) => `${' '.repeat(keyIndent + 2 + 2 * j)}${inline(k)}:${j === rest.length - 1 ? ` ${inline(edit.value)}` : ''}`);
      // An explicit `null` or `~` goes; an empty value is nothing to remove.
      const written = next?.range && text.slice(next.range[0], next.range[1]).trim() !== '';
      const head = written ? text.slice(0, next.range![0]).replace(/[ \t]*$/, '') + text.slice(next.range![1], at) : text.slice(0, at);
      return `${head}${head.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n${text.slice(at)}`;
    }
    map = next;
    indent += 2;
  }
  return text;
}

/** `text` with each edit applied in turn (each on the text the previous one left). */
export function editOverlay(text: string, edits: readonly OverlayEdit[], file: string): string {
  return edits.reduce((t, e) => applyOne(t, e, file), text);
}
