#!/usr/bin/env bash
# Start-up time of the stand-alone services: process start to the "listening on" line, median of N starts.
# usage: bench/startup.sh [N] [OTHER_TARGET_DIR]
#   OTHER_TARGET_DIR: orchestrator/target of another checkout (jdpo-orchestrator.jar + lib/), measured
#   interleaved with this one, so machine load hits both alike.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N="${1:-5}"
OTHER="${2:-}"
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
if [[ ! -f orchestrator/target/jdpo-orchestrator.jar ]]; then
  mvn -B -q -ntp package -DskipTests -pl orchestrator -am
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# milliseconds from launch to the ready line of `jdpo serve $2` from build dir $1
start_once() {
  local target="$1" service="$2" port log start
  port="$(free_port)"
  log="$(mktemp)"
  start="$(date +%s%N)"
  java -Xmx4g -Xss4m -Dai.djl.offline=true -cp "$target/jdpo-orchestrator.jar:$target/lib/*" \
    dev.jdpo.orchestrator.cli.JdpoCli serve "$service" --port "$port" >"$log" 2>&1 &
  local pid=$!
  until grep -q "listening on" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; exit 1; fi
    sleep 0.01
  done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

for service in tokenizer trainer; do
  here=(); there=()
  for ((i = 0; i < N; i++)); do
    here+=("$(start_once orchestrator/target "$service")")
    if [[ -n "$OTHER" ]]; then there+=("$(start_once "$OTHER" "$service")"); fi
  done
  echo "serve $service: this build median $(printf '%s\n' "${here[@]}" | median) ms (${here[*]})"
  if [[ -n "$OTHER" ]]; then
    echo "serve $service: $OTHER median $(printf '%s\n' "${there[@]}" | median) ms (${there[*]})"
  fi
done
