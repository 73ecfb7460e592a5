/**
 * The terminal view: per environment and app, each added, removed or changed resource with
 * its risk flags and a unified YAML diff, coloured when colour is on. Pure.
 */
import { hasDifferences, resourceLabel, versionOnlyLine, type Counts, type DiffReport, type ResourceChange } from './model.js';
import { yamlDiff, type DiffLineType } from './unified.js';

export interface TerminalOptions {
  color: boolean;
  /** Lines of context around each change in the YAML diffs. */
  context?: number;
}

const CODES = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36' } as const;
type Style = keyof typeof CODES;

/** Whether to colour: FORCE_COLOR forces (0/false turn it off), else NO_COLOR turns it off, else only on a TTY. */
export function colourWanted(env: NodeJS.ProcessEnv, isTty: boolean | undefined): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty === true;
}

export function formatTerminal(report: DiffReport, options: TerminalOptions): string {
  const paint = (style: Style | Style[] | undefined, text: string) =>
    options.color && style ? `\u001b[${([] as Style[]).concat(style).map((s) => CODES[s]).join(';')}m${text}\u001b[0m` : text;
  const lineStyle: Record<DiffLineType, Style | undefined> = { hunk: 'cyan', context: undefined, add: 'green', remove: 'red' };
  const out: string[] = [];

  if (!hasDifferences(report)) {
    out.push(`No changes: the render matches ${report.base.description} (${report.unchanged} resources compared).`);
    return out.join('\n');
  }
  out.push(paint('dim', `Comparing a fresh render with ${report.base.description}`));
  for (const env of report.environments) {
    out.push('');
    out.push(`${paint('bold', env.name || '(top level)')}${env.tier ? paint('dim', ` (${env.tier})`) : ''}  ${counts(env)}`);
    for (const app of env.apps) {
      out.push(`  ${paint('bold', app.name || '(top level)')}  ${counts(app)}`);
      for (const r of app.resources) {
        out.push(`    ${header(r, paint)}`);
        for (const risk of r.risks) out.push(`      ${paint('magenta', `! ${risk.type}: ${risk.detail}`)}`);
        if (r.status === 'removed') continue; // its content is gone; the header says what
        for (const line of yamlDiff(r, options.context)) out.push(`      ${paint(lineStyle[line.type], line.text)}`);
      }
      if (app.versionOnly) out.push(`    ${paint(['bold', 'yellow'], '~')} ${paint('dim', versionOnlyLine(app.versionOnly))}`);
    }
  }
  out.push('');
  out.push(`${paint('bold', counts(report))}, ${report.unchanged} unchanged, against ${report.base.description}`);
  return out.join('\n');
}

function header(r: ResourceChange, paint: (style: Style | Style[] | undefined, text: string) => string): string {
  const mark = r.status === 'added' ? paint(['bold', 'green'], '+') : r.status === 'removed' ? paint(['bold', 'red'], '-') : paint(['bold', 'yellow'], '~');
  const where = r.previousPath ? `${r.previousPath} -> ${r.path}` : r.path;
  const what = r.status === 'changed' && r.previousPath ? 'moved' : r.status;
  return `${mark} ${paint('bold', resourceLabel(r))} ${what}  ${paint('dim', where)}`;
}

function counts(c: Counts): string {
  return `${c.added} added, ${c.changed} changed, ${c.removed} removed`;
}
