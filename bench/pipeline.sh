#!/usr/bin/env bash
# End-to-end wall time of the quickstart run: embedded orchestrator (every service in one JVM, in-process channels)
# vs an orchestrator JVM with its tokenizer, reference and trainer on three more JVMs (loopback), alternating runs.
# Usage: bench/pipeline.sh [runs-per-mode]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench-pipeline
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl orchestrator -am >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx4g -Dai.djl.offline=true -Xss4m \
  -cp "$root/orchestrator/$target/classes:$root/orchestrator/$target/lib/*" \
  dev.jdpo.orchestrator.bench.PipelineProcessesBenchmark "$root" "$@"
