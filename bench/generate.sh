#!/usr/bin/env bash
# Generation throughput of the model module on examples/tiny-llama: one prompt at a time vs batches, with and
# without the KV cache. Usage: [THREADS=n] bench/generate.sh [prompts] [new tokens] [iterations]
# THREADS sets libtorch's intra-op threads (default: libtorch's choice, the core count).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl model -am >&2
mvn -B -q -ntp -o -Djdpo.target="$target" dependency:build-classpath -pl model \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$root/model/$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
threads=()
if [[ -n "${THREADS:-}" ]]; then
  threads=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1)
fi
exec java -Xmx4g -Dai.djl.offline=true -Xss4m "${threads[@]}" \
  -cp "$root/model/$target/classes:$(cat "$root/model/$target/bench.classpath")" \
  dev.jdpo.model.bench.GenerateBenchmark "$root/examples/tiny-llama" "$@"
