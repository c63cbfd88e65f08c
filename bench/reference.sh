#!/usr/bin/env bash
# Reference scoring benchmark (reference-svc): first vs second run over the same pairs with the on-disk
# cache (the second opens the reference lazily), cache lookups/s, and pairs/s through a ReferencePool of
# one vs two ReferenceServerMain processes over loopback gRPC. The model is a random Llama written at
# start (default hidden 256, 4 layers, vocab 8192).
# THREADS (default 1) sets libtorch's intra-op threads of this JVM and of every replica process: with two
# threads on this shared 2-core machine, libtorch called from the JVM main thread ran about 4x slower than
# from another thread (measured), which would skew in-process against replica numbers.
# Usage: [THREADS=n] bench/reference.sh [--pairs N] [--iterations N] [--cache-entries N] [--only passes|lookups|replicas]
#                                       [--hidden N] [--layers N] [--vocab N] [--max-batch-tokens N] [--max-batch-rows N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench-reference
threads="${THREADS:-1}"
cd "$root"
mvn -B -q -ntp -Pbench -Djdpo.target="$target" -DskipTests package dependency:build-classpath \
  -pl reference-svc -am -Dmdep.includeScope=runtime -Dmdep.outputFile="$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx2g -Dai.djl.offline=true -Xss4m \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$root/reference-svc/$target/classes:$(cat "$root/reference-svc/$target/bench.classpath")" \
  dev.jdpo.reference.bench.ReferenceBenchmark --repo "$root" --replica-threads "$threads" "$@"
