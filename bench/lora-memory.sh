#!/usr/bin/env bash
# Peak RSS and speed of one forward + backward (2 pairs x 512 tokens) on a random hidden-512 / 8-layer /
# vocab-32000 Llama: full fine-tune vs LoRA on all linear layers (-gc: with gradient checkpointing), each in its
# own JVM (a third writes the model;
# MaxDirectMemorySize bounds the loader's GC-freed staging buffers, so the peaks compare the modes, not the GC).
# Usage: [THREADS=n] [MODES="full lora lora-gc full-gc"] bench/lora-memory.sh [r] [steps]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/model-bench-env.sh"
# A fixed glibc mmap threshold: with the default dynamic one, freed activations of a few MB stay in malloc's
# arenas and the peak measures fragmentation (LoRA's many mid-sized temporaries then looked worse than full).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-65536}"
# run JVM_FLAG ARGS...: the benchmark class in a fresh JVM
run() {
  local flag="$1"
  shift
  java -Xmx2g "$flag" -Dai.djl.offline=true -Xss4m "${threads[@]}" \
    -cp "$classpath" \
    dev.jdpo.model.bench.LoraMemoryBenchmark "$@"
}
model="$(mktemp -d)"
trap 'rm -rf "$model"' EXIT
run -XX:+UseSerialGC write "$model"
for mode in ${MODES:-full lora lora-gc}; do
  run -XX:MaxDirectMemorySize=256m "$mode" "$model" "${1:-16}" "${2:-2}"
done
