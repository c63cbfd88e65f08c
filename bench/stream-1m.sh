#!/usr/bin/env bash
# A streaming run (reference.mode: streaming) over N short pairs with the JVM's heap capped at 512 MB (-Xmx512m), the
# tiny Llama policy and reference, 300 steps of 8 pairs: time to the first training step (from the process start to
# the first metrics line), wall time, peak RSS. Generates the pairs (distinct, ~70 bytes a line) unless present.
# Usage: bench/stream-1m.sh [PAIRS...]   (default: 10000 1000000); WORK=DIR keeps the data between runs;
# JDPO_JAVA_OPTS replaces the JVM flags (default: -Xmx512m, one libtorch thread).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -ntp -DskipTests package -pl orchestrator -am >&2
work="${WORK:-$(mktemp -d /tmp/jdpo-stream-1m.XXXXXX)}"
mkdir -p "$work"
# a copy of the build, so a rebuild meanwhile does not rewrite the jars under the running JVM
jdpo="$work/jdpo"
rm -rf "$jdpo" && mkdir -p "$jdpo" && cp -r orchestrator/target/jdpo-orchestrator.jar orchestrator/target/lib "$jdpo/"
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
java_opts="${JDPO_JAVA_OPTS:--Xmx512m -Dai.djl.pytorch.num_threads=1}"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 1000000)

printf '| pairs | data file | time to first step | wall time | peak RSS |\n| --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
  data="$work/pairs-$n.jsonl"
  if [[ ! -s "$data" ]]; then
    python3 - "$n" "$data" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    for i in range(n):
        out.write('{"prompt": "What is %d plus one?", "chosen": " %d.", "rejected": " %d."}\n' % (i, i + 1, i + 2))
PY
  fi
  run="$work/run-$n"
  rm -rf "$run"
  mkdir -p "$run"
  cat > "$run/config.yaml" <<YAML
name: stream-$n
model:
  policy: $root/examples/tiny-llama
  reference: $root/examples/tiny-llama-ref
  device: cpu
data:
  training_file: $data
  validation_split: 0
reference:
  mode: streaming
training:
  loss_types: [sigmoid]
  learning_rate: 5e-4
  batch_size: 8
  max_steps: 300
  max_length: 64
  seed: 42
output:
  output_dir: $run/out
  checkpoint_interval: 150
  log_interval: 1
YAML
  start=$(date +%s.%N)
  # shellcheck disable=SC2086 # java_opts is a list of flags
  /usr/bin/time -f '%M' -o "$run/max-rss-kb" java $java_opts -Dai.djl.offline=true -Djdpo.home="$root" -Xss4m \
    -cp "$jdpo/jdpo-orchestrator.jar:$jdpo/lib/*" dev.jdpo.orchestrator.cli.JdpoCli train --config "$run/config.yaml" \
    --state-dir "$run/state" --metrics-out "$run/metrics.jsonl" > "$run/log" 2>&1 &
  pid=$!
  first=""
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -z "$first" && -s "$run/metrics.jsonl" ]]; then
      first=$(date +%s.%N)
    fi
    sleep 0.05
  done
  status=0
  wait "$pid" || status=$?
  end=$(date +%s.%N)
  if [[ $status -ne 0 || -z "$first" ]]; then
    echo "the run over $n pairs failed (exit $status); its output: $run/log" >&2
    tail -20 "$run/log" >&2
    exit 1
  fi
  steps=$(wc -l < "$run/metrics.jsonl")
  printf '| %s | %.1f MB | %.1f s | %.1f s (%s reports) | %.0f MB |\n' "$n" "$(echo "$(stat -c %s "$data") / 1000000" | bc -l)" \
    "$(echo "$first - $start" | bc)" "$(echo "$end - $start" | bc)" "$steps" "$(echo "$(cat "$run/max-rss-kb") / 1024" | bc)"
done
