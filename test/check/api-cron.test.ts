/** CronJob schedules (robfig/cron v3 ParseStandard, as Kubernetes uses it) and time zones (the IANA tz database). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scheduleProblem, timeZoneProblem } from '../../generators/check/api-server/cron.js';
import { timeZonesModule } from '../../generators/check/api-server/generate-time-zones.js';
import { TIME_ZONE_NAMES, TZDATA_VERSION } from '../../generators/check/api-server/time-zones.gen.js';
import { repoRoot } from '../helpers.js';

describe('schedule', () => {
  it.each([
    '* * * * *',
    '30 2 * * *',
    '0 0 1 1 *',
    '59 23 31 12 6',
    '*/15 * * * *',
    '0 9-17/2 * * mon-fri',
    '0 0 * JAN,jul sun',
    '5,10,,15 * * * *',
    '0 0 ? * *',
    '*/90 * * * *',
    '7/5 * * * *',
    '+5 * * * *',
    '0\t0  * * *',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 1h30m',
    '@every 90s',
    '@every 1.5h',
    '@every 0',
  ])('%s is accepted', (s) => {
    expect(scheduleProblem(s)).toBeUndefined();
  });

  it.each([
    ['61 25 * * *', 'minute "61": 61 is above the maximum 59'],
    ['0 24 * * *', 'hour "24": 24 is above the maximum 23'],
    ['0 0 0 * *', 'day of month "0": 0 is below the minimum 1'],
    ['0 0 32 * *', 'day of month "32": 32 is above the maximum 31'],
    ['0 0 * 13 *', 'month "13": 13 is above the maximum 12'],
    ['0 0 * * 7', 'day of week "7": 7 is above the maximum 6'],
    ['0 0 * * funday', 'day of week "funday": "funday" is not a number'],
    ['5-1 * * * *', 'minute "5-1": the range starts at 5, after its end 1'],
    ['*/0 * * * *', 'minute "*/0": "*/0" has a step of 0'],
    ['1/2/3 * * * *', 'minute "1/2/3": "1/2/3" has more than one \'/\''],
    ['1-2-3 * * * *', 'minute "1-2-3": "1-2-3" has more than one \'-\''],
    ['-5 * * * *', 'minute "-5": "" is not a number (empty)'],
    ['1/-1 * * * *', 'minute "1/-1": -1 is negative'],
    ['* * * *', 'has 4 fields, not 5 (minute hour day-of-month month day-of-week)'],
    ['0 * * * * *', 'has 6 fields, not 5 (minute hour day-of-month month day-of-week)'],
    ['', 'is empty'],
    ['@reboot', '"@reboot" is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>'],
    ['@Daily', '"@Daily" is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>'],
    ['@every 1d', '"@every 1d": "1d" is not a Go duration (e.g. 90m, 1h30m)'],
    ['@every', '"@every" is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>'],
    ['CRON_TZ=UTC 0 0 * * *', 'may not set TZ or CRON_TZ: use spec.timeZone'],
    ['TZ=Europe/Paris @daily', 'may not set TZ or CRON_TZ: use spec.timeZone'],
  ])('%s is refused: %s', (s, why) => {
    expect(scheduleProblem(s)).toBe(why);
  });
});

describe('timeZone', () => {
  it.each(['Etc/UTC', 'UTC', 'Europe/Paris', 'America/Argentina/ComodRivadavia', 'US/Eastern', 'Asia/Calcutta', 'Etc/GMT+5', 'GMT', 'Factory'])('%s is an IANA time zone', (tz) => {
    expect(timeZoneProblem(tz)).toBeUndefined();
  });

  it.each([
    ['Mars/Olympus', `"Mars/Olympus" is not a time zone of the IANA tz database (${TZDATA_VERSION})`],
    ['europe/paris', `"europe/paris" is not a time zone of the IANA tz database (${TZDATA_VERSION})`],
    ['Local', 'must name an explicit IANA time zone, not Local'],
    ['local', 'must name an explicit IANA time zone, not Local'],
    ['', 'is empty: omit it, or name an IANA time zone'],
    ['+05:00', `"+05:00" is not a time zone of the IANA tz database (${TZDATA_VERSION})`],
  ])('%s is refused', (tz, why) => {
    expect(timeZoneProblem(tz)).toBe(why);
  });

  it('the committed list is the one the generator makes from a tzdata.zi, and every name passes the API server\'s per-part rule', () => {
    const zi = `# version 2099z\nZ Europe/Paris 0:9:21 - LMT 1891 Mar 16\nL Etc/UTC UTC\nR X 1 2 - Jan 1 0 0 -\nZ Etc/UTC 0 - UTC\n`;
    expect(timeZonesModule(zi)).toContain("export const TZDATA_VERSION = '2099z';");
    expect(timeZonesModule(zi)).toContain('\nEtc/UTC Europe/Paris UTC\n');
    expect(() => timeZonesModule('Z Europe/Paris')).toThrow('no "# version" line');
    const names = TIME_ZONE_NAMES.trim().split(/\s+/);
    expect(names.length).toBeGreaterThan(590);
    expect(readFileSync(join(repoRoot, 'generators/check/api-server/time-zones.gen.ts'), 'utf8')).toContain(`IANA tz database ${TZDATA_VERSION}`);
    // Kubernetes' validateTimeZone: each part [A-Za-z.-_0-9+]{1,14}, not '.', '..' or starting with '-'.
    expect(names.filter((n) => n.split('/').some((p) => !/^[A-Za-z.\-_0-9+]{1,14}$/.test(p) || p === '.' || p === '..' || p.startsWith('-')))).toEqual([]);
  });

  it("Node's ICU knows no zone the list lacks (a newer tzdata: run npm run tz:update)", () => {
    const names = new Set(TIME_ZONE_NAMES.trim().split(/\s+/));
    expect(Intl.supportedValuesOf('timeZone').filter((tz) => !names.has(tz))).toEqual([]);
  });
});
