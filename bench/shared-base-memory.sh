#!/usr/bin/env bash
# Peak RSS of an embedded LoRA run with the default reference (the starting policy), in both reference modes, on
# a random Llama of about 205M parameters (820 MB of FP32 weights: hidden 1024, 16 layers, intermediate 2816,
# the tiny fixture's 512-token vocabulary and tokenizer): 2 steps, batch 2, LoRA r 16 on every linear layer.
# JDPO picks the build that runs (default: this checkout's bin/jdpo), so another checkout's
# bin/jdpo gives the "before" numbers on the same model and data.
# Usage: [JDPO=path/to/bin/jdpo] [MODES="precompute streaming"] bench/shared-base-memory.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/model-bench-env.sh"
jdpo="${JDPO:-$root/bin/jdpo}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -Xmx2g -Dai.djl.offline=true -cp "$classpath" dev.jdpo.model.bench.RandomModel "$work/model" \
  "$root/examples/tiny-llama" 512 1024 2816 16 16 16
# one libtorch thread, a small heap and bounded staging buffers, so the peak is the weights and activations
export JDPO_JAVA_OPTS="-Xmx1g -XX:MaxDirectMemorySize=256m -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
export MALLOC_MMAP_THRESHOLD_=65536
for mode in ${MODES:-precompute streaming}; do
  /usr/bin/time -f "%M" -o "$work/peak-kb" "$jdpo" train --policy "$work/model" \
    --data "$root/examples/data/quickstart.jsonl" --loss sigmoid --lora-r 16 --lora-target-modules all-linear \
    --batch-size 2 --max-steps 2 --logging-steps 1 --set "reference.mode=$mode" --output "$work/run-$mode" \
    --state-dir "$work/state-$mode" --log-level warn > "$work/out-$mode" 2>&1 || { cat "$work/out-$mode"; exit 1; }
  echo "$mode: peak RSS $(( $(cat "$work/peak-kb") / 1024 )) MiB"
done
