package dev.jdpo.tokenizer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * UltraFeedback-binarized rows: a {@code prompt} string and {@code chosen}/{@code rejected} as whole conversations
 * that include the user turn, with optional numeric {@code score_chosen}/{@code score_rejected}.
 */
final class UltraFeedbackFormat implements RowFormat {

    @Override
    public PreferenceExample parse(JsonObject row, long line) throws InvalidRowException {
        String promptText = Messages.nonBlank(JsonFields.string(row, "prompt", "prompt"), "prompt");
        List<ChatMessage> chosen = Messages.parse(JsonFields.array(row, "chosen", "chosen"), "chosen", false);
        List<ChatMessage> rejected = Messages.parse(JsonFields.array(row, "rejected", "rejected"), "rejected", false);
        requireNumber(row, "score_chosen");
        requireNumber(row, "score_rejected");
        PreferenceExample example = TrlFormat.splitConversation(line, chosen, rejected, List.of());
        List<ChatMessage> prompt = example.prompt().messages();
        ChatMessage last = prompt.get(prompt.size() - 1);
        if (!last.role().equals("user") || last.content() == null || !last.content().strip().equals(promptText.strip())) {
            throw new InvalidRowException(ErrorCode.PROMPT_MISMATCH, "prompt",
                    "prompt differs from the last shared user turn chosen[" + (prompt.size() - 1) + "]");
        }
        return example;
    }

    private static void requireNumber(JsonObject row, String field) throws InvalidRowException {
        Optional<JsonElement> value = JsonFields.optional(row, field);
        if (value.isPresent() && !(value.get().isJsonPrimitive() && value.get().getAsJsonPrimitive().isNumber())) {
            throw JsonFields.wrongType(field, "a number", value.get());
        }
    }
}
