#!/usr/bin/env bash
# Resident memory of a 2,000-step DPO run on the tiny Llama (sigmoid + sft, batch 4 x 2 accumulation,
# checkpoints every 500 steps), sampled from /proc/self/status every 100 steps. The heap is fixed and
# pre-touched so that only native growth (a tensor leak) can move RSS. One libtorch thread: on a shared
# machine OpenMP spin-waiting otherwise dominates the step time.
# Usage: bench/train-memory.sh [steps] [warm-up steps]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -Pbench -Djdpo.target="$target" -DskipTests package dependency:build-classpath \
  -pl trainer-svc -am -Dmdep.includeScope=runtime -Dmdep.outputFile="$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -Dai.djl.offline=true -Xss4m \
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$root/trainer-svc/$target/classes:$(cat "$root/trainer-svc/$target/bench.classpath")" \
  dev.jdpo.trainer.bench.TrainMemoryBenchmark "$root" "${1:-2000}" "${2:-300}"
