#!/usr/bin/env bash
# Scoring throughput of the model module (SequenceScorer vs full-logits LogProbs) on a random
# hidden-512 / 8-layer / vocab-32000 Llama. Usage: [THREADS=n] bench/score.sh [iterations] [warm-up]
# THREADS sets libtorch's intra-op threads (default: libtorch's choice, the core count).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/model-bench-env.sh"
exec java -Xmx4g -Dai.djl.offline=true -Xss4m "${threads[@]}" \
  -cp "$classpath" \
  dev.jdpo.model.bench.ScoreBenchmark "$@"
