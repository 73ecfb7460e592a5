/** How `check --explain` prints an explanation: one block per object, for people; --format json prints the list as it is. */
import type { Explanation, SpecPlace } from '../app/explain.js';

const at = (p: SpecPlace) => `${p.file}${p.line !== undefined ? `:${p.line}` : ''}`;

export function formatExplanation(x: Explanation): string[] {
  const r = x.resource;
  const lines = [`${r.kind} ${r.namespace ? r.namespace + '/' : ''}${r.name} (${r.apiVersion}) in ${x.file}`];
  lines.push(x.app ? `  produced by: ${x.app.source} ${x.app.name} (${x.app.kind} app) in ${x.environment}, from ${at(x.producedBy)}` : `  produced by: ${x.unit} of ${x.environment}, from ${at(x.producedBy)}`);
  lines.push(`  spec files: ${x.files.join(', ')}`);
  if (x.overlayFields.length > 0) {
    lines.push(`  set by the overlay (${x.overlayFields.length} field${x.overlayFields.length === 1 ? '' : 's'} of the app's spec):`);
    for (const f of x.overlayFields) lines.push(`    ${f.pointer}  ${at(f)}`);
  } else if (x.app?.kind === 'spec') lines.push(x.files.length > 1 ? '  set by the overlay: nothing (every field from the base)' : '  set by the overlay: no overlay for this environment');
  if (x.patches.length > 0) {
    lines.push(`  overlay patches on this object:`);
    for (const p of x.patches) lines.push(`    ${p.op} ${p.path}  ${at(p)} (${p.pointer})`);
  }
  if (x.exemptions.length > 0) {
    lines.push('  exemptions applied:');
    for (const e of x.exemptions) lines.push(`    ${e.policy}: ${e.reason} [${at(e)}; lifted ${e.lifted}]`);
  } else lines.push('  exemptions applied: none');
  lines.push('  checks:');
  const width = Math.max(...x.checks.map((c) => c.id.length));
  for (const c of x.checks) {
    lines.push(`    ${c.id.padEnd(width)}  ${c.level.padEnd(9)}  ${c.result}`);
    for (const f of c.findings) lines.push(`      ${f.pointer || '/'}: ${f.message} (${at({ file: f.source, ...(f.line !== undefined && { line: f.line }) })})`);
  }
  return lines;
}
