#!/usr/bin/env bash
# Validation benchmark: one streaming pass over a generated 1,000,000-line file with the heap capped at 512 MB.
# Usage: bench/validate.sh [LINES] [FORMAT: trl-standard|openai] [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lines="${1:-1000000}"
format="${2:-trl-standard}"
repeats="${3:-3}"
file="/tmp/jdpo-validate-${format}-${lines}.jsonl"
target=target-bench
cd "$root"
mvn -B -q -ntp -Pbench -Djdpo.target="$target" compile dependency:build-classpath -pl tokenizer-svc -am \
  -Dmdep.outputFile="$root/tokenizer-svc/$target/classpath.txt" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
exec java -Xmx512m -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "tokenizer-svc/$target/classes:$(cat "tokenizer-svc/$target/classpath.txt")" \
  dev.jdpo.tokenizer.bench.ValidateBench examples/tiny-llama "$file" "$lines" "$format" "$repeats"
