/**
 * A CronJob's `schedule` and `timeZone` as the API server checks them (Kubernetes 1.33 batch
 * validation). The schedule goes through robfig/cron v3's ParseStandard: five fields (minute
 * 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat), each a
 * comma list of `*`, `?`, `N`, `N-M`, with an optional `/step`; or one of @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly, or `@every <Go duration>` (ParseStandard accepts
 * it, so Kubernetes does). `TZ=`/`CRON_TZ=` in the schedule is refused (use `timeZone`). The time
 * zone must be a name of the IANA tz database (time-zones.gen.ts, generated from tzdata and
 * committed: the same answer on every machine), never `Local`. Pure.
 */
import { TIME_ZONE_NAMES, TZDATA_VERSION } from './time-zones.gen.js';

interface Field {
  name: string;
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } },
  { name: 'day of week', min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** What Go's strings.Fields splits on (unicode.IsSpace). */
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
/** Go's time.ParseDuration: signed, one or more decimal numbers each with a unit. */
const DURATION = /^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const NANOS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** What is wrong with a CronJob schedule, or undefined when Kubernetes accepts it. */
export function scheduleProblem(schedule: string): string | undefined {
  if (schedule === '') return 'is empty';
  if (schedule.includes('TZ')) return 'may not set TZ or CRON_TZ: use spec.timeZone';
  if (schedule.startsWith('@')) {
    if (DESCRIPTORS.has(schedule)) return undefined;
    if (schedule.startsWith('@every ')) return durationProblem(schedule.slice('@every '.length));
    return `"${schedule}" is not one of ${[...DESCRIPTORS].join(', ')} or @every <duration>`;
  }
  const fields = schedule.split(SPACE).filter((f) => f !== '');
  if (fields.length !== 5) return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5 (minute hour day-of-month month day-of-week)`;
  for (const [i, text] of fields.entries()) {
    const field = FIELDS[i]!;
    for (const range of text.split(',').filter((r) => r !== '')) {
      const bad = rangeProblem(range, field);
      if (bad) return `${field.name} "${text}": ${bad}`;
    }
  }
  return undefined;
}

/** One `*`, `N`, `N-M`, each with an optional `/step`, as robfig/cron reads it. */
function rangeProblem(expr: string, f: Field): string | undefined {
  const rangeAndStep = expr.split('/');
  if (rangeAndStep.length > 2) return `"${expr}" has more than one '/'`;
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = f.min;
    end = f.max;
  } else {
    if (lowAndHigh.length > 2) return `"${expr}" has more than one '-'`;
    const low = intOrName(lowAndHigh[0]!, f);
    if (typeof low === 'string') return low;
    start = low;
    end = start;
    if (lowAndHigh.length === 2) {
      const high = intOrName(lowAndHigh[1]!, f);
      if (typeof high === 'string') return high;
      end = high;
    }
  }
  if (rangeAndStep.length === 2) {
    const step = integer(rangeAndStep[1]!);
    if (typeof step === 'string') return step;
    if (lowAndHigh.length === 1) end = f.max;
    if (step === 0) return `"${expr}" has a step of 0`;
  }
  if (start < f.min) return `${start} is below the minimum ${f.min}`;
  if (end > f.max) return `${end} is above the maximum ${f.max}`;
  if (start > end) return `the range starts at ${start}, after its end ${end}`;
  return undefined;
}

function intOrName(text: string, f: Field): number | string {
  const named = f.names?.[text.toLowerCase()];
  return named ?? integer(text);
}

/** Go's strconv.Atoi (an optional sign, decimal digits, int64), refusing negatives as robfig/cron does. */
function integer(text: string): number | string {
  if (!/^[-+]?[0-9]+$/.test(text) || BigInt(text) >= 2n ** 63n || BigInt(text) < -(2n ** 63n)) return `"${text}" is not a number${text === '' ? ' (empty)' : ''}`;
  const n = Number(text);
  return n < 0 ? `${n} is negative` : n;
}

function durationProblem(text: string): string | undefined {
  if (text === '0' || text === '+0' || text === '-0') return undefined;
  if (!DURATION.test(text)) return `"@every ${text}": "${text}" is not a Go duration (e.g. 90m, 1h30m)`;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([0-9.]+)([a-zµμ]+)/g)) total += Number(n) * NANOS[unit!]!;
  return total > 2 ** 63 ? `"@every ${text}": the duration is too long` : undefined;
}

let zones: Set<string> | undefined;

/** What is wrong with a CronJob timeZone, or undefined when it names an IANA time zone. */
export function timeZoneProblem(tz: string): string | undefined {
  if (tz === '') return 'is empty: omit it, or name an IANA time zone';
  if (tz.toLowerCase() === 'local') return 'must name an explicit IANA time zone, not Local';
  zones ??= new Set(TIME_ZONE_NAMES.trim().split(/\s+/));
  return zones.has(tz) ? undefined : `"${tz}" is not a time zone of the IANA tz database (${TZDATA_VERSION})`;
}

/** IANA time zone names close to `tz` (a did-you-mean), compared without case. */
export function timeZoneNames(): readonly string[] {
  zones ??= new Set(TIME_ZONE_NAMES.trim().split(/\s+/));
  return [...zones];
}
