#!/usr/bin/env bash
# `jdpo demo` for several seeds: each seed's before/after table, its wall time, and the load average around it.
# usage: bench/demo.sh [SEED...]   (default: 1 2 3)
# Each demo writes to a fresh directory under /tmp with its own run state; the tables are printed as the demo
# prints them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEEDS=("$@")
[[ ${#SEEDS[@]} -gt 0 ]] || SEEDS=(1 2 3)
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
if [[ ! -f orchestrator/target/jdpo-orchestrator.jar ]]; then
  mvn -B -q -ntp package -DskipTests -pl orchestrator -am
fi
work="$(mktemp -d /tmp/jdpo-bench-demo.XXXXXX)"
echo "cores: $(nproc); output: $work"
for seed in "${SEEDS[@]}"; do
  log="$work/seed-$seed.log"
  before_load="$(cut -d' ' -f1-3 /proc/loadavg)"
  start="$(date +%s%N)"
  if ! bin/jdpo demo --seed "$seed" --out "$work/seed-$seed" --state-dir "$work/state-$seed" >"$log" 2>&1; then
    tail -20 "$log" >&2
    exit 1
  fi
  wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo
  echo "seed $seed: wall $((wall_ms / 1000)).$(( (wall_ms % 1000) / 100 )) s; load average (1, 5, 15 min) before" \
    "$before_load, after $(cut -d' ' -f1-3 /proc/loadavg)"
  sed -n '/^held-out prompts:/,/^violation rate before/p' "$log"
done
