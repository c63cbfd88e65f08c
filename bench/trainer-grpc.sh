#!/usr/bin/env bash
# What the TrainerService costs over calling the training engine directly (tiny Llama, one libtorch thread):
# pairs/s of a flow-controlled upload over TCP loopback, and the median step period seen by the caller for a
# direct TrainingRun, an in-process channel and TCP loopback, alternated over rounds.
# Usage: bench/trainer-grpc.sh [upload pairs] [steps per run] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench-tgrpc
cd "$root"
mvn -B -q -ntp -Pbench -Djdpo.target="$target" -DskipTests package dependency:build-classpath \
  -pl trainer-svc -am -Dmdep.includeScope=test -Dmdep.outputFile="$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx1g -Dai.djl.offline=true -Xss4m \
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$root/trainer-svc/$target/classes:$(cat "$root/trainer-svc/$target/bench.classpath")" \
  dev.jdpo.trainer.grpc.TrainerGrpcBenchmark "$root" "${1:-20000}" "${2:-200}" "${3:-3}"
