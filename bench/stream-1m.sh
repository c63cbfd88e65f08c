#!/usr/bin/env bash
# A streaming run (reference.mode: streaming) over N short pairs with the JVM's heap capped at 512 MB (-Xmx512m), the
# tiny Llama policy and reference, 300 steps of 8 pairs: time to the first training step (from the process start to
# the first metrics line, and in parentheses from the run's creation, its first event, which leaves out the JVM's and
# the run state's start-up), wall time, peak RSS. Generates the pairs (distinct, ~70 bytes a line) unless present.
# Usage: bench/stream-1m.sh [PAIRS...]   (default: 10000 1000000); WORK=DIR keeps the data between runs;
# JDPO_JAVA_OPTS replaces the JVM flags (default: -Xmx512m, one libtorch thread).
# PROCESSES=4 runs the tokenizer, the reference and the trainer each as its own `jdpo serve` JVM (the same flags,
# started and ready before the run; the run config's services: names them) beside the orchestrator's `jdpo train`;
# time to first step is then from the orchestrator's start, "services ready" the three services' start before it,
# and the peak RSS each process's (the services' VmHWM read before they are stopped). Default: 1 (embedded).
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
processes="${PROCESSES:-1}"
if [[ $processes != 1 && $processes != 4 ]]; then
  echo "PROCESSES is 1 (embedded) or 4 (tokenizer, reference and trainer as their own processes)" >&2
  exit 2
fi
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 1000000)

# shellcheck disable=SC2206 # java_opts is a list of flags
jdpo_cmd=(java $java_opts -Dai.djl.offline=true -Djdpo.home="$root" -Xss4m -cp "$jdpo/jdpo-orchestrator.jar:$jdpo/lib/*"
  dev.jdpo.orchestrator.cli.JdpoCli)

# the services of PROCESSES=4, stopped when the script exits however it exits
service_pids=()
stop_services() {
  local pid
  for pid in "${service_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${service_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  service_pids=()
}
trap stop_services EXIT

# starts `jdpo serve NAME ARGS...` on a free port; once it says it listens, service_address is its host:port
start_service() {
  local name=$1 waited=0
  local log="$run/$name.log"
  shift
  "${jdpo_cmd[@]}" serve "$name" --port 0 "$@" > "$log" 2>&1 &
  service_pids+=($!)
  until grep -q "^jdpo $name listening on " "$log"; do
    if ! kill -0 "${service_pids[-1]}" 2>/dev/null || (( waited++ > 2400 )); then
      echo "jdpo serve $name did not start; its output: $log" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.05
  done
  service_address=$(sed -n "s/^jdpo $name listening on //p" "$log" | head -1)
}

if [[ $processes == 4 ]]; then
  printf '| pairs | data file | services ready | time to first step | wall time | peak RSS: orchestrator / tokenizer / '
  printf 'reference / trainer |\n| --- | --- | --- | --- | --- | --- |\n'
else
  printf '| pairs | data file | time to first step | wall time | peak RSS |\n| --- | --- | --- | --- | --- |\n'
fi
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
  services=""
  ready=""
  if [[ $processes == 4 ]]; then
    services_start=$(date +%s.%N)
    start_service tokenizer --read-root "$root" --read-root "$work"
    services="services:
  tokenizer_address: $service_address"
    start_service reference --model "$root/examples/tiny-llama-ref" --cache "$run/reference-cache"
    services="$services
  reference_addresses: [$service_address]"
    start_service trainer --read-root "$root" --read-root "$work" --write-root "$run"
    services="$services
  trainer_address: $service_address"
    ready=$(printf ' %.1f s |' "$(echo "$(date +%s.%N) - $services_start" | bc)")
  fi
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
$services
YAML
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$run/max-rss-kb" "${jdpo_cmd[@]}" train --config "$run/config.yaml" \
    --state-dir "$run/state" --metrics-out "$run/metrics.jsonl" > "$run/log" 2>&1 &
  pid=$!
  first=""
  created=""
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -z "$created" ]] && grep -q "Run created" "$run/log"; then
      created=$(date +%s.%N)
    fi
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
  rss="$(( $(cat "$run/max-rss-kb") / 1024 )) MB"
  for i in "${!service_pids[@]}"; do
    rss="$rss / $(( $(awk '/^VmHWM/ {print $2}' "/proc/${service_pids[$i]}/status") / 1024 )) MB"
  done
  stop_services
  printf '| %s | %.1f MB |%s %.1f s (%.1f s) | %.1f s (%s reports) | %s |\n' "$n" \
    "$(echo "$(stat -c %s "$data") / 1000000" | bc -l)" "$ready" "$(echo "$first - $start" | bc)" \
    "$(echo "$first - ${created:-$start}" | bc)" \
    "$(echo "$end - $start" | bc)" "$steps" "$rss"
done
