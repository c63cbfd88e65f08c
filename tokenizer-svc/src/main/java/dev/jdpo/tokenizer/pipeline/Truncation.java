package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.text.PairTokenizer.TokenIds;
import java.util.Arrays;

/**
 * Applies max_prompt_length (keep_start or keep_end) and then max_length (completions cut at the end, as TRL's
 * collator does). A prompt that alone reaches max_length leaves nothing to learn from, so that pair is rejected.
 */
final class Truncation {

    private Truncation() {
    }

    /** The ids after truncation and whether anything was cut. */
    record Result(TokenIds ids, boolean truncated) { }

    static Result apply(TokenIds ids, DataOptions options, String promptField) throws InvalidRowException {
        int[] prompt = ids.promptIds();
        boolean truncated = false;
        if (options.maxPromptLength() > 0 && prompt.length > options.maxPromptLength()) {
            int keep = options.maxPromptLength();
            prompt = options.truncationMode() == TruncationMode.KEEP_START
                    ? Arrays.copyOf(prompt, keep) : Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
            truncated = true;
        }
        int[] chosen = ids.chosenIds();
        int[] rejected = ids.rejectedIds();
        if (options.maxLength() > 0) {
            if (prompt.length >= options.maxLength()) {
                throw new InvalidRowException(ErrorCode.PROMPT_TOO_LONG, promptField, "prompt is " + prompt.length
                        + " tokens, which leaves no room for a completion within max_length " + options.maxLength());
            }
            int room = options.maxLength() - prompt.length;
            if (chosen.length > room || rejected.length > room) {
                chosen = Arrays.copyOf(chosen, Math.min(room, chosen.length));
                rejected = Arrays.copyOf(rejected, Math.min(room, rejected.length));
                truncated = true;
            }
        }
        return new Result(new TokenIds(prompt, chosen, rejected), truncated);
    }
}
