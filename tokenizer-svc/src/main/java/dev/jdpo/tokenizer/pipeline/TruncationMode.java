package dev.jdpo.tokenizer.pipeline;

/** Which end of an over-long prompt survives truncation to max_prompt_length. */
public enum TruncationMode {
    KEEP_START,
    /** The default: the most recent part of a conversation matters most for the answer. */
    KEEP_END
}
