/**
 * A project's fleet read from its disk in one call: the input files, the team's charts compiled
 * (charts.ts), loaded and validated (load/fleet.ts). For tools and tests; a render reads its
 * inputs through the Workspace's stat-vouched scan instead (app/render-sources.ts).
 */
import { loadFleet, type Fleet } from '../load/fleet.js';
import { chartFiles, compileCharts } from './charts.js';
import { readSources } from './inputs.js';

export function readFleet(root: string): Fleet {
  const sources = readSources(root);
  return loadFleet(sources, { charts: compileCharts(root, chartFiles(sources.keys()), sources) });
}
