#!/usr/bin/env bash
# Peak RSS and tokens/s of one DPO step of 2 pairs x 512 tokens on the Qwen2.5-0.5B shape (random weights, FP32
# CPU), jdpo against PyTorch eager on the same checkpoint, ids and thread count: scoring, full fine-tune, LoRA r 16
# on all linear layers, LoRA + gradient checkpointing. Each mode of each side runs in its own process, the two
# sides alternating, so each peak (VmHWM) is one mode's alone and machine load hits both alike.
# Needs Debian's python3-torch with OpenBLAS (apt-get install python3-torch libopenblas0-openmp).
# Usage: [THREADS=n (1)] [MODES="score full lora lora-gc"] [MODEL=DIR] [SIDE_BY_SIDE=1] bench/qwen-step.sh [iterations (3)]
# MODEL: a checkpoint an earlier run wrote there (kept), instead of a fresh one in a temporary directory.
# SIDE_BY_SIDE=1: both sides of a mode at once (twice the memory; on a loaded machine both then see the same load).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench-qwen
cd "$root"
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  echo "qwen-step.sh: needs /usr/bin/python3 with torch: apt-get install python3-torch libopenblas0-openmp" >&2
  exit 1
}
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package dependency:build-classpath \
  -pl trainer-svc -am -Dmdep.includeScope=runtime -Dmdep.outputFile="$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
threads="${THREADS:-1}"
iterations="${1:-3}"
# bin/jdpo's JVM flags and libtorch setting
jdpo() {
  THP_MEM_ALLOC_ENABLE="${THP_MEM_ALLOC_ENABLE:-1}" MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-2097152}" java -Xmx4g -Dai.djl.offline=true -Xss4m -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 \
    -cp "$root/trainer-svc/$target/classes:$(cat "$root/trainer-svc/$target/bench.classpath")" \
    dev.jdpo.trainer.bench.QwenStepBenchmark "$@"
}
model="${MODEL:-}"
if [[ -z "$model" ]]; then
  model="$(mktemp -d)"
  trap 'rm -rf "$model"' EXIT
fi
[[ -f "$model/ids.json" ]] || jdpo write "$model"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in ${MODES:-score full lora lora-gc}; do
  if [[ -n "${SIDE_BY_SIDE:-}" ]]; then
    jdpo "$mode" "$model" "$iterations" &
  else
    jdpo "$mode" "$model" "$iterations"
  fi
  OMP_NUM_THREADS="$threads" /usr/bin/python3 "$root/bench/qwen_step_torch.py" "$mode" "$model" "$iterations" "$threads"
  wait
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
