#!/usr/bin/env bash
# Alternating paired runs of two checkouts of gitops-bridge on one synthetic fleet, for
# before/after figures on a machine whose speed drifts from minute to minute (a single
# `npm run bench` here has varied 1.8x between back-to-back runs). Each round, each checkout in
# turn: cold render, no-op render, one-app render, check, `render --help`; wall seconds.
#
#   bash bench/paired.sh <before-checkout> <after-checkout> [rounds=5] [apps=1000] [dir=/dev/shm]
#
# Both checkouts need their dependencies installed (npm ci). Prints one line per run, then the
# medians. Not a test.
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd)
rounds=${3:-5}; apps=${4:-1000}; base=${5:-/dev/shm}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "$base/gitops-bridge-paired-XXXXXX")
trap 'rm -rf "$work"' EXIT
export CI=1
cat > "$work/make.ts" <<TS
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticFleet, writeFiles } from '$here/bench/synthetic-fleet.ts';
writeFiles(process.argv[2]!, syntheticFleet({ apps: $apps, envs: 3 }));
writeFileSync(join(process.argv[2]!, 'package.json'), '{}\n');
TS
for v in before after; do mkdir -p "$work/$v"; (cd "$here" && npx tsx "$work/make.ts" "$work/$v"); done
declare -A bin=([before]="$before/generators/cli/bin.mjs" [after]="$after/generators/cli/bin.mjs")
seconds() { local TIMEFORMAT=%R; { time "$@" >/dev/null 2>&1; } 2>&1; }
for v in before after; do node "${bin[$v]}" render --help >/dev/null; done
out=$work/runs.txt
for i in $(seq "$rounds"); do
  for v in before after; do
    d=$work/$v; b=${bin[$v]}
    rm -rf "$d/rendered" "$d/.cache"
    cold=$(seconds node "$b" --root "$d" render -q)
    noop=$(seconds node "$b" --root "$d" render -q)
    sed -i -E "s/tag: 1\.[0-9]+\.0/tag: 1.$i$RANDOM.0/" "$d/manifests/apps/svc-0000/app.yaml"
    one=$(seconds node "$b" --root "$d" render -q)
    check=$(seconds node "$b" --root "$d" check)
    help=$(seconds node "$b" render --help)
    echo "$v cold=$cold noop=$noop one-app=$one check=$check help=$help" | tee -a "$out"
  done
done
echo "medians of $rounds (seconds):"
for v in before after; do
  line="$v"
  for m in cold noop one-app check help; do
    med=$(grep "^$v " "$out" | grep -o "$m=[0-9.]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    line="$line $m=$med"
  done
  echo "$line"
done
