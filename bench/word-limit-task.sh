# Sourced by bench/continual-rounds.sh and bench/continual-job.sh: the word-limit task both run, written into $out as
# train.jsonl (TRAIN_PROMPTS prompts), heldout.jsonl (HELDOUT prompts) and criteria.yaml (at most MAX_WORDS words).
# Sets train_prompts, heldout and max_words.
train_prompts="${TRAIN_PROMPTS:-96}" heldout="${HELDOUT:-64}" max_words="${MAX_WORDS:-4}"
topics=(rivers cats bread trains rain music chess maps salt bees stone glass clocks ships tea wool)
: > "$out/train.jsonl"; : > "$out/heldout.jsonl"
for ((i = 0; i < train_prompts + heldout; i++)); do
  line="{\"prompt\": \"Describe ${topics[i % 16]} number $i in at most $max_words words.\"}"
  if ((i < train_prompts)); then echo "$line" >> "$out/train.jsonl"; else echo "$line" >> "$out/heldout.jsonl"; fi
done
printf 'criteria:\n  - name: word_limit\n    word_limit: {max: %s}\n' "$max_words" > "$out/criteria.yaml"
