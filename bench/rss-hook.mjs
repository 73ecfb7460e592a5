// Loaded with `node --import` into the processes `npm run bench` spawns: on exit, writes the
// process's peak resident set size (KiB, worker threads included) to $GITOPS_BRIDGE_BENCH_RSS.
import { writeFileSync } from 'node:fs';

const file = process.env.GITOPS_BRIDGE_BENCH_RSS;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
