#!/usr/bin/env bash
# Memory of an orchestrator JVM (-Xmx256m by default) while FeedbackService.ExportPairs streams 10,000 and 100,000
# preference pairs to a client that pauses halfway: resident set and heap, sampled, and the live heap after full GCs.
# Usage: bench/feedback-export.sh [pairs] [orchestrator-xmx]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench-feedback
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl orchestrator -am >&2
exec java -Xmx1g -cp "$root/orchestrator/$target/classes:$root/orchestrator/$target/lib/*" \
  dev.jdpo.orchestrator.bench.FeedbackExportBenchmark "$root" "$@"
