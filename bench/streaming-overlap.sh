#!/usr/bin/env bash
# Reference scoring overlapping training (reference.mode streaming) vs scoring everything first (precompute), with a
# larger random-weight reference on its own JVM and the tiny policy training in the orchestrator's, one libtorch
# thread each. Usage: bench/streaming-overlap.sh [rounds] [pairs] [reference-hidden] [reference-layers]
# REFERENCE_CPUS and ORCHESTRATOR_CPUS (taskset lists, e.g. 1 and 0) pin the reference replica's JVM and the
# orchestrator's JVM (which trains) to their own cores, as each would have its own GPU; unset, they share all cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl orchestrator -am >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec ${ORCHESTRATOR_CPUS:+taskset -c "$ORCHESTRATOR_CPUS"} java -Xmx4g -Dai.djl.offline=true -Xss4m -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$root/orchestrator/$target/classes:$root/orchestrator/$target/lib/*" \
  dev.jdpo.orchestrator.bench.StreamingOverlapBenchmark "$root" "$@"
