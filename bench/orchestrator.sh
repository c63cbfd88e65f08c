#!/usr/bin/env bash
# End-to-end wall time of the quickstart run through the orchestrator: reference model in-process ("embedded")
# vs on a separate replica JVM ("remote"), alternating runs. Usage: bench/orchestrator.sh [runs-per-mode]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl orchestrator -am >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx4g -Dai.djl.offline=true -Xss4m \
  -cp "$root/orchestrator/$target/classes:$root/orchestrator/$target/lib/*" \
  dev.jdpo.orchestrator.bench.ReferencePlacementBenchmark "$root" "$@"
