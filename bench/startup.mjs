// Start-up of the CLI of a checkout: 21 runs of `gitops-bridge render --help`, median and minimum.
//   node bench/startup.mjs <checkout> [<another checkout> ...]   (alternate checkouts by listing them twice)
import { spawnSync } from 'node:child_process';

for (const dir of process.argv.slice(2)) {
  const times = [];
  for (let i = 0; i < 21; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [`${dir}/generators/cli/bin.mjs`, 'render', '--help'], { cwd: dir });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${dir}: median ${times[10].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
}
