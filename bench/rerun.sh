#!/usr/bin/env bash
# A run whose reference log-probs are all cached vs the same run with an empty cache, through the orchestrator
# (quickstart config, in-process services). Usage: bench/rerun.sh [rounds] [max-steps, 0 = the config's]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl orchestrator -am >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx4g -Dai.djl.offline=true -Xss4m -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$root/orchestrator/$target/classes:$root/orchestrator/$target/lib/*" \
  dev.jdpo.orchestrator.bench.RerunBenchmark "$root" "$@"
