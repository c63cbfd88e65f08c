package dev.jdpo.evaluation;

import dev.jdpo.evaluation.prompts.PromptRow;

/**
 * A prompt ready for the model.
 *
 * @param row the prompt row (criteria read its fields)
 * @param text the prompt as the model sees it (after the chat template)
 * @param ids its token ids, not empty
 */
public record EncodedPrompt(PromptRow row, String text, int[] ids) {

    public EncodedPrompt {
        if (ids.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }
}
