#!/usr/bin/env bash
# Three rounds of sample -> criteria -> DPO driven by one ContinualJob on a served orchestrator (issue 15): the job's
# rounds sample pairs from the promoted model (pairs.sampled, no feedback), train, and the gate judges the held-out
# prompts before and after; the script only creates the job and reads its events.
# Usage: bench/continual-job.sh [rounds] [out dir]
#   TASK=words (default): a word-limit task on examples/tiny-llama, as bench/continual-rounds.sh; env TRAIN_PROMPTS
#     HELDOUT SAMPLES MAX_WORDS NEW_TOKENS LR EPOCHS MARGIN.
#   TASK=demo: the task of `jdpo demo --seed SEED` (issue 12): its supervised model (after SFT, before DPO) is the
#     base, its 412 training prompts are sampled, its 100 held-out prompts and criteria.yaml (word limit of the row,
#     an answer at all) gate the rounds greedily, and the end compares base and promoted model as the demo does
#     (`jdpo evaluate`, greedy, a violation = any criterion failing); env SEED SAMPLES LR EPOCHS MARGIN.
#   PORT; JDPO_JAVA_OPTS (default: one libtorch thread).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
out="${2:-$(mktemp -d /tmp/jdpo-continual-job-XXXXXX)}"
task="${TASK:-words}" port="${PORT:-50091}"
jdpo="$root/bin/jdpo"
export JDPO_JAVA_OPTS="${JDPO_JAVA_OPTS:--Xmx4g -Dai.djl.pytorch.num_threads=1}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
start=$(date +%s)
if [[ "$task" == demo ]]; then
  seed="${SEED:-1}" samples="${SAMPLES:-6}" lr="${LR:-2e-4}" epochs="${EPOCHS:-2}" margin="${MARGIN:-0.05}"
  "$jdpo" demo --seed "$seed" --out "$out/demo" --state-dir "$out/demo-state" > "$out/demo.txt"
  base="$out/demo/sft/final"
  # the demo's DPO prompts, with the max_words its criteria read; no answer of them is used
  python3 -c 'import json,re,sys
for line in open(sys.argv[1]):
    prompt = json.loads(line)["prompt"]
    print(json.dumps({"prompt": prompt, "max_words": int(re.search(r"at most (\d+) words", prompt).group(1))}))' \
    "$out/demo/data/pairs.jsonl" > "$out/train.jsonl"
  cp "$out/demo/data/heldout.jsonl" "$out/heldout.jsonl"
  cp "$out/demo/criteria.yaml" "$out/criteria.yaml"
  cat > "$out/job.yaml" <<YAML
name: demo task continual
task: demo-word-limit
run_template:
  model: {policy: $base, device: cpu}
  training: {loss_types: [sigmoid, sft], loss_weights: [1, 1], beta: 0.1, learning_rate: $lr, lr_scheduler: linear,
             warmup_ratio: 0.1, batch_size: 16, epochs: $epochs, max_length: 128, seed: $seed}
  output: {output_dir: $out/job, checkpoint_interval: 100000}
trigger: {every_minutes: 1}
pairs:
  feedback: false
  sampled: {prompts_file: $out/train.jsonl, criteria_file: $out/criteria.yaml, num_samples: $samples,
            max_new_tokens: 40, temperature: 1.0}
gate:
  prompts_file: $out/heldout.jsonl
  criteria:
    - {name: word_limit, word_limit: {max_field: max_words}}
    - {name: an_answer, regex: {must_match: '^\s*[A-Za-z]+( [A-Za-z]+)*\.\$'}}
  max_pass_rate_drop: $margin
  max_prompts: 100
  max_new_tokens: 40
max_rounds: $rounds
YAML
else
  samples="${SAMPLES:-6}" new_tokens="${NEW_TOKENS:-16}" lr="${LR:-1e-3}" epochs="${EPOCHS:-2}" margin="${MARGIN:-0.05}"
  source "$root/bench/word-limit-task.sh"
  cat > "$out/job.yaml" <<YAML
name: word-limit continual
task: word-limit
run_template:
  model: {policy: $root/examples/tiny-llama, device: cpu}
  training: {loss_types: [sigmoid], beta: 0.1, learning_rate: $lr, batch_size: 8, epochs: $epochs, seed: 1}
  output: {output_dir: $out/job}
trigger: {every_minutes: 1}
pairs:
  feedback: false
  sampled: {prompts_file: $out/train.jsonl, criteria_file: $out/criteria.yaml, num_samples: $samples,
            max_new_tokens: $new_tokens}
gate:
  prompts_file: $out/heldout.jsonl
  criteria: [{name: word_limit, word_limit: {max: $max_words}}]
  max_pass_rate_drop: $margin
  max_prompts: $heldout
  max_new_tokens: $new_tokens
  chat: true
  temperature: 1.0
  seed: 1000
max_rounds: $rounds
YAML
fi

"$jdpo" serve orchestrator --port "$port" --state-dir "$out/state" --allowed-root "$out" \
  --allowed-root "$root/examples" > "$out/orchestrator.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
until grep -q "listening on" "$out/orchestrator.log"; do sleep 1; done
job=$("$jdpo" continual create --address "localhost:$port" --config "$out/job.yaml")
echo "job $job (the trigger fires a minute after creation, then after each round)"
"$jdpo" continual watch --address "localhost:$port" "$job" | tee "$out/events.txt" | grep -E "Round [0-9]+ (promoted|not promoted)|rounds committed" || true
wall=$(( $(date +%s) - start ))
# "(word_limit 0.750 -> 0.875)" on each committed round: pass rates of the promoted model and of the round's
awk -v wall="$wall" '
  /Round [0-9]+ (promoted|not promoted)/ {
    match($0, /word_limit [0-9.]+ -> [0-9.]+/); split(substr($0, RSTART, RLENGTH), r, " ")
    n++; if (n == 1) first = 1 - r[2]
    promoted = ($0 ~ /Round [0-9]+ promoted/)
    if (promoted) best = 1 - r[4]; else if (n == 1) best = first
    printf "round %d: violation rate %.1f%% -> %.1f%% (%s)\n", n, 100 * (1 - r[2]), 100 * (1 - r[4]), promoted ? "promoted" : "not promoted"
  }
  END { printf "violation rate before %.1f%% after %.1f%%: %.0f%% relative cut; wall time %d s\n", 100 * first, 100 * best, \
    (first > 0 ? 100 * (first - best) / first : 0), wall }' "$out/events.txt"
if [[ "$task" == demo ]]; then
  # as the demo measures: greedy answers to the 100 held-out prompts, a violation = any criterion failing
  promoted=$(grep -oE "Round [0-9]+ promoted: [^ ]+" "$out/events.txt" | tail -1 | sed 's/.*promoted: //')
  violations() {
    "$jdpo" evaluate --model "$1" --data "$out/heldout.jsonl" --criteria "$out/criteria.yaml" --max-new-tokens 40 \
      --out "$2" > /dev/null
    python3 -c 'import json,sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(sum(any(not v["pass"] for v in r["verdicts"].values()) for r in rows), len(rows))' "$2"
  }
  read -r before total < <(violations "$base" "$out/heldout-base.jsonl")
  read -r after _ < <(violations "${promoted:-$base}" "$out/heldout-promoted.jsonl")
  awk -v b="$before" -v a="$after" -v n="$total" -v m="${promoted:-the base (no round promoted)}" 'BEGIN {
    printf "held-out violations (greedy, any criterion): base %d/%d (%.1f%%), promoted %s %d/%d (%.1f%%): %.1f%% relative cut\n",
      b, n, 100 * b / n, m, a, n, 100 * a / n, (b > 0 ? 100 * (b - a) / b : 0) }'
fi
echo "files in $out"
