package dev.jdpo.evaluation;

import dev.jdpo.evaluation.criteria.GeneratedAnswer;
import dev.jdpo.evaluation.prompts.PromptRow;

/**
 * One generated answer.
 *
 * @param index the row's position in the prompt list (0-based)
 * @param row the prompt row
 * @param sequence which of the row's return sequences (0-based)
 * @param promptText the prompt as the model saw it (after the chat template)
 * @param answer the generated text, without the stop token
 * @param tokens generated tokens, the stop token not counted
 * @param stopped true when a stop token ended it, false when the token limit did
 */
public record Completion(int index, PromptRow row, int sequence, String promptText, String answer, int tokens,
                         boolean stopped) {

    /** What criteria judge. */
    public GeneratedAnswer toAnswer() {
        return new GeneratedAnswer(row.fields(), promptText, answer, tokens);
    }

    /** OpenAI's finish_reason: "stop" or "length". */
    public String finishReason() {
        return stopped ? "stop" : "length";
    }
}
