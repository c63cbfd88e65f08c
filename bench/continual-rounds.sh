#!/usr/bin/env bash
# Rounds of self-sampled DPO on a word-limit task (issue 15): each round is one `jdpo train` run whose data is
# data.sampled_pairs (the round's starting model samples answers to the training prompts, the criteria keep the
# best over the worst), with the round's starting model as reference (iterative DPO); `jdpo evaluate` then samples
# one answer per held-out prompt. A round's model is promoted only if the pass rate falls by at most MARGIN.
# Usage: bench/continual-rounds.sh [rounds] [out dir]    env: TRAIN_PROMPTS HELDOUT SAMPLES MAX_WORDS NEW_TOKENS
#   LR EPOCHS MARGIN; JDPO_JAVA_OPTS (default: one libtorch thread, faster than two on a loaded 2-core machine).
# The prompts are generated here; the model starts from examples/tiny-llama (random weights).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
out="${2:-$(mktemp -d /tmp/jdpo-continual-XXXXXX)}"
train_prompts="${TRAIN_PROMPTS:-96}" heldout="${HELDOUT:-64}" samples="${SAMPLES:-6}" max_words="${MAX_WORDS:-4}"
new_tokens="${NEW_TOKENS:-16}" lr="${LR:-1e-3}" epochs="${EPOCHS:-2}" margin="${MARGIN:-0.05}"
jdpo="$root/bin/jdpo"
export JDPO_JAVA_OPTS="${JDPO_JAVA_OPTS:--Xmx4g -Dai.djl.pytorch.num_threads=1}"
mkdir -p "$out"
topics=(rivers cats bread trains rain music chess maps salt bees stone glass clocks ships tea wool)
: > "$out/train.jsonl"; : > "$out/heldout.jsonl"
for ((i = 0; i < train_prompts + heldout; i++)); do
  line="{\"prompt\": \"Describe ${topics[i % 16]} number $i in at most $max_words words.\"}"
  if ((i < train_prompts)); then echo "$line" >> "$out/train.jsonl"; else echo "$line" >> "$out/heldout.jsonl"; fi
done
printf 'criteria:\n  - name: word_limit\n    word_limit: {max: %s}\n' "$max_words" > "$out/criteria.yaml"

# violation rate in percent of the held-out answers of model $1 (sampled at temperature 1, fixed seed)
violations() {
  "$jdpo" evaluate --model "$1" --data "$out/heldout.jsonl" --criteria "$out/criteria.yaml" --chat \
    --temperature 1.0 --max-new-tokens "$new_tokens" --seed 1000 --out "$2" > "$2.txt" 2>/dev/null
  awk '$1 == "word_limit" { printf "%.1f", 100 * $3 / ($2 + $3) }' "$2.txt"
}

start=$(date +%s)
model="$root/examples/tiny-llama"
before=$(violations "$model" "$out/eval-0.jsonl")
echo "round 0: violation rate ${before}% (starting model)"
best="$before"
for ((r = 1; r <= rounds; r++)); do
  cat > "$out/round-$r.yaml" <<YAML
model:
  policy: $model
  device: cpu
data:
  sampled_pairs:
    prompts_file: $out/train.jsonl
    criteria_file: $out/criteria.yaml
    num_samples: $samples
    max_new_tokens: $new_tokens
training:
  loss_types: [sigmoid]
  beta: 0.1
  learning_rate: $lr
  batch_size: 8
  epochs: $epochs
  seed: $r
output:
  output_dir: $out/round-$r
YAML
  "$jdpo" train --config "$out/round-$r.yaml" --state-dir "$out/state" > "$out/round-$r.log" 2>&1
  pairs=$(grep -o '[0-9]* of [0-9]* prompts yielded a pair' "$out/round-$r.log" | head -1)
  rate=$(violations "$out/round-$r/final" "$out/eval-$r.jsonl")
  # promoted unless the pass rate fell by more than the margin (rates in percent)
  if awk -v new="$rate" -v old="$best" -v m="$margin" 'BEGIN { exit !(new - old <= 100 * m) }'; then
    model="$out/round-$r/final"; best="$rate"; verdict=promoted
  else
    verdict="not promoted"
  fi
  echo "round $r: $pairs; violation rate ${rate}%: $verdict ($(( $(date +%s) - start )) s so far)"
done
awk -v b="$before" -v a="$best" 'BEGIN { printf "violation rate before %s%% after %s%%: %.0f%% relative cut\n", b, a, \
  (b > 0 ? 100 * (b - a) / b : 0) }'
echo "wall time: $(( $(date +%s) - start )) s; files in $out"
