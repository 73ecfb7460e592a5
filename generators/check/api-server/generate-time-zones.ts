/**
 * Writes time-zones.gen.ts: every time zone name of an IANA tz database (its Zone and Link
 * names, read from the `tzdata.zi` that tzdata packages install, /usr/share/zoneinfo/tzdata.zi
 * on Debian), which is what Go's time.LoadLocation, and so the API server's check of a CronJob's
 * `timeZone`, accepts. Committed, so the check gives the same answer on every machine whatever
 * its Node's ICU or its system's tzdata; run `npm run tz:update [-- <path to tzdata.zi>]` when
 * a new tzdata release adds names.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareStrings } from '../../core/strings.js';

export const TIME_ZONES_FILE = resolve(dirname(fileURLToPath(import.meta.url)), 'time-zones.gen.ts');

/** The file's text from a tzdata.zi: its version and every Zone and Link name, sorted. */
export function timeZonesModule(zi: string): string {
  const version = /^# version (\S+)/m.exec(zi)?.[1];
  if (!version) throw new Error('not a tzdata.zi file: no "# version" line');
  const names = new Set<string>();
  for (const line of zi.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'Z' && f[1]) names.add(f[1]);
    if (f[0] === 'L' && f[2]) names.add(f[2]);
  }
  const sorted = [...names].sort(compareStrings);
  const lines: string[] = [];
  let line = '';
  for (const n of sorted) {
    if (line.length + n.length + 1 > 110) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + n;
  }
  if (line) lines.push(line);
  return [
    `/* Generated from the IANA tz database ${version} (tzdata.zi) by \`npm run tz:update\`. Do not edit. */`,
    '',
    `/** The tz database release the names come from. */`,
    `export const TZDATA_VERSION = '${version}';`,
    '',
    `/** Its ${sorted.length} Zone and Link names, space-separated, sorted. */`,
    'export const TIME_ZONE_NAMES = `',
    ...lines,
    '`;',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const source = process.argv[2] ?? '/usr/share/zoneinfo/tzdata.zi';
  writeFileSync(TIME_ZONES_FILE, timeZonesModule(readFileSync(source, 'utf8')));
  console.log(`wrote ${TIME_ZONES_FILE} from ${source}`);
}
