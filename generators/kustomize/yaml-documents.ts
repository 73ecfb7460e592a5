/**
 * Multi-document YAML (`---` separated), each document parsed with load/yaml.ts's safe parser so
 * it keeps its own line locator, with Kustomize's scalar resolution (yaml-schema.ts). A document is parsed from its own slice of the text, padded with
 * the newlines before it, so every line number it reports is the line in the whole file.
 */
import { parseYaml, type ParsedDocument } from '../load/yaml.js';
import { KUSTOMIZE_YAML_SCHEMA } from './yaml-schema.js';

const SEPARATOR = /^---(?=\s|$)/;
const END = /^\.\.\.\s*$/;

/** The non-empty documents of `text`, in order. */
export function parseYamlDocuments(text: string, file: string): ParsedDocument[] {
  const lines = text.split('\n');
  const docs: ParsedDocument[] = [];
  let start = 0;
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
      const doc = parseYaml('\n'.repeat(start) + chunk.join('\n'), file, KUSTOMIZE_YAML_SCHEMA);
      if (doc.data !== null && doc.data !== undefined) docs.push(doc);
    }
    chunk = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR.test(line)) {
      flush();
      start = i;
      chunk = ['   ' + line.slice(3)];
    } else if (END.test(line)) {
      flush();
      start = i + 1;
    } else {
      if (chunk.length === 0) start = i;
      chunk.push(line);
    }
  }
  flush();
  return docs;
}
