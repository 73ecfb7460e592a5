/** Unified diffs of canonical YAML, as typed lines the formatters colour or fence. Pure. */
import { structuredPatch } from 'diff';
import type { ResourceChange } from './model.js';

export type DiffLineType = 'hunk' | 'context' | 'add' | 'remove';

export interface DiffLine {
  type: DiffLineType;
  /** The line with its marker (`@@ ... @@`, ' ', '+', '-'). */
  text: string;
}

const splitLines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** The YAML diff of one resource change; empty for a move that changed nothing inside. */
export function yamlDiff(change: Pick<ResourceChange, 'beforeYaml' | 'afterYaml'>, context = 3): DiffLine[] {
  const before = change.beforeYaml;
  const after = change.afterYaml;
  if (before === undefined && after === undefined) return [];
  if (before === undefined || after === undefined) {
    const lines = splitLines((before ?? after)!);
    const add = before === undefined;
    return [
      { type: 'hunk', text: add ? `@@ -0,0 +1,${lines.length} @@` : `@@ -1,${lines.length} +0,0 @@` },
      ...lines.map((l): DiffLine => ({ type: add ? 'add' : 'remove', text: `${add ? '+' : '-'}${l}` })),
    ];
  }
  if (before === after) return [];
  const patch = structuredPatch('before', 'after', before, after, undefined, undefined, { context });
  const out: DiffLine[] = [];
  for (const h of patch.hunks) {
    out.push({ type: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const line of h.lines) {
      if (line.startsWith('\\')) continue; // "\ No newline at end of file": canonical YAML always ends in one
      const type: DiffLineType = line[0] === '+' ? 'add' : line[0] === '-' ? 'remove' : 'context';
      out.push({ type, text: line });
    }
  }
  return out;
}
