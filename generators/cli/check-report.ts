/**
 * How render and check report the check stage: warnings for advisory violations, the list of
 * exemptions applied, and with --format json one JSON object on stdout for CI:
 * { violations, exemptions, stale, errors }.
 */
import { Option } from 'commander';
import { CheckFailed, violationError, type AppliedExemption, type CheckReport, type RefusedChanges, type Violation } from '../check/check.js';
import { bridgeErrorsOf, type ErrorDetails } from '../core/errors.js';
import type { Io } from './io.js';
import { fsFaultError } from './fs-fault.js';

export type OutputFormat = 'text' | 'json';

export const formatOption = () =>
  new Option('--format <format>', 'text for people; json: one JSON object {violations, exemptions, stale, errors} on stdout, for CI').choices(['text', 'json']).default('text');

export interface StaleFile {
  /** Path under the project root. */
  file: string;
  change: 'added' | 'changed' | 'removed';
}

export interface JsonReport {
  violations: Violation[];
  exemptions: (Omit<AppliedExemption, 'violations'> & { lifted: Pick<Violation, 'file' | 'resource' | 'pointer' | 'message'>[] })[];
  /** Files of rendered/ that differ from what render writes (check), or that render changed (render). */
  stale: StaleFile[];
  /** Input errors that stopped the run before the check (invalid specs, schemas...). */
  errors: ErrorDetails[];
}

export function staleOf(changes: RefusedChanges | undefined): StaleFile[] {
  if (!changes) return [];
  return [
    ...changes.added.map((p) => ({ file: `rendered/${p}`, change: 'added' as const })),
    ...changes.changed.map((p) => ({ file: `rendered/${p}`, change: 'changed' as const })),
    ...changes.removed.map((p) => ({ file: `rendered/${p}`, change: 'removed' as const })),
  ];
}

export function jsonReport(report: CheckReport | undefined, changes: RefusedChanges | undefined, errors: ErrorDetails[] = []): JsonReport {
  return {
    violations: report?.violations ?? [],
    exemptions: (report?.exemptionsApplied ?? []).map(({ violations, ...x }) => ({
      ...x,
      lifted: violations.map((v) => ({ file: v.file, resource: v.resource, pointer: v.pointer, message: v.message })),
    })),
    stale: staleOf(changes),
    errors,
  };
}

/**
 * Reports a failed run before the caller rethrows it (the errors themselves are printed by
 * reportError): with --format json the JSON report; as text, the advisory warnings that came
 * with the mandatory violations.
 */
export function printFailure(e: unknown, format: OutputFormat, io: Io): void {
  if (format !== 'json') {
    if (e instanceof CheckFailed) for (const v of e.report.violations) if (v.level === 'advisory') io.err(`warning: ${violationError(v).format()}`);
    return;
  }
  if (e instanceof CheckFailed) {
    io.out(JSON.stringify(jsonReport(e.report, e.changes), null, 2));
    return;
  }
  const fault = fsFaultError(e);
  const errors = fault ? [fault] : bridgeErrorsOf(e);
  if (errors && !errors.every((x) => x.code === 'usage')) io.out(JSON.stringify(jsonReport(undefined, undefined, errors.map((x) => x.toJSON())), null, 2));
}

/** Text output: advisory violations as warnings (stderr), exemptions applied (stdout unless quiet). */
export function printCheck(report: CheckReport, io: Io, options: { quiet?: boolean } = {}): void {
  for (const v of report.violations) io.err(`warning: ${violationError(v).format()}`);
  if (options.quiet) return;
  const applied = report.exemptionsApplied;
  if (applied.length === 0) return;
  io.out(`exemptions (${applied.length}):`);
  for (const x of applied) {
    const at = `${x.file}${x.line !== undefined ? `:${x.line}` : ''}`;
    const what = x.violations.length === 0 ? 'matched nothing: remove it if the app no longer needs it' : `lifted ${x.violations.length} violation${x.violations.length === 1 ? '' : 's'}`;
    io.out(`  ${x.policy} for ${x.environment}/${x.app}${x.resources ? ` (${x.resources.join(', ')})` : ''}: ${x.reason} [${at}; ${what}]`);
  }
}

/** One line for the summary: what the check found. */
export function checkSummary(report: CheckReport): string {
  const warnings = report.violations.length;
  const lifted = report.exemptionsApplied.reduce((n, x) => n + x.violations.length, 0);
  return `checked ${report.objects} objects: ${warnings} warning${warnings === 1 ? '' : 's'}, ${lifted} exempted`;
}
