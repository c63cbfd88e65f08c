package dev.jdpo.tokenizer.data;

import java.util.List;

/**
 * One preference pair in the shape every input format is normalized to. Either all parts are text
 * (tokenized with the TRL plain-text convention) or all are messages (rendered with the model's chat template).
 * An SFT row is an example whose {@code rejected} is null: its completion travels as {@code chosen}.
 *
 * @param sourceLine 1-based line (JSONL) or row (JSON array, Parquet) it came from
 * @param rejected the non-preferred completion; null for an SFT example
 * @param tools tool definitions passed to the chat template; empty when none
 */
public record PreferenceExample(long sourceLine, Content prompt, Content chosen, Content rejected, List<Object> tools) {

    public PreferenceExample {
        if (prompt.conversational() != chosen.conversational()
                || rejected != null && chosen.conversational() != rejected.conversational()) {
            throw new IllegalArgumentException("prompt, chosen and rejected must all be text or all be messages");
        }
        tools = List.copyOf(tools);
    }

    public static PreferenceExample text(long line, String prompt, String chosen, String rejected) {
        return new PreferenceExample(line, Content.text(prompt), Content.text(chosen), Content.text(rejected), List.of());
    }

    public static PreferenceExample chat(long line, List<ChatMessage> prompt, List<ChatMessage> chosen,
                                         List<ChatMessage> rejected, List<Object> tools) {
        return new PreferenceExample(line, Content.messages(prompt), Content.messages(chosen),
                Content.messages(rejected), tools);
    }

    /** An SFT example: a prompt and one completion (kept as {@code chosen}). */
    public static PreferenceExample completion(long line, Content prompt, Content completion, List<Object> tools) {
        return new PreferenceExample(line, prompt, completion, null, tools);
    }

    /** Whether this is a pair; false for an SFT example, which has no rejected completion. */
    public boolean paired() {
        return rejected != null;
    }

    public boolean conversational() {
        return prompt.conversational();
    }

    /** The same pair with another source line, to compare pairs read from different files. */
    public PreferenceExample withSourceLine(long line) {
        return new PreferenceExample(line, prompt, chosen, rejected, tools);
    }
}
