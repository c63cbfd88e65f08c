#!/usr/bin/env bash
# Generation throughput of the model module on examples/tiny-llama: one prompt at a time vs batches, with and
# without the KV cache. Usage: [THREADS=n] bench/generate.sh [prompts] [new tokens] [iterations]
# THREADS sets libtorch's intra-op threads (default: libtorch's choice, the core count).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/model-bench-env.sh"
exec java -Xmx4g -Dai.djl.offline=true -Xss4m "${threads[@]}" \
  -cp "$classpath" \
  dev.jdpo.model.bench.GenerateBenchmark "$root/examples/tiny-llama" "$@"
