package dev.jdpo.evaluation.prompts;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.tokenizer.data.ChatMessage;
import java.util.List;

/**
 * One prompt to answer: plain text or chat messages, with the row it came from (criteria read per-row limits and
 * expected answers from its other fields).
 *
 * @param line 1-based line in the data file (0 for a prompt given on the command line)
 * @param fields the row as read
 * @param text the prompt text, or null for a chat prompt
 * @param messages the chat messages, or empty for a text prompt
 */
public record PromptRow(int line, JsonObject fields, String text, List<ChatMessage> messages) {

    public PromptRow {
        fields = fields.deepCopy();
        messages = List.copyOf(messages);
    }

    @Override
    public JsonObject fields() {
        return fields.deepCopy();
    }

    /** A prompt given as text, e.g. on the command line. */
    public static PromptRow ofText(String text) {
        JsonObject fields = new JsonObject();
        fields.addProperty("prompt", text);
        return new PromptRow(0, fields, text, List.of());
    }

    public boolean conversational() {
        return text == null;
    }

    /** The prompt as the row gave it: its text, or its messages. */
    public JsonElement promptValue() {
        JsonElement value = fields.get("prompt");
        if (value != null) {
            return value;
        }
        value = fields.get("messages");
        if (value != null) {
            return value;
        }
        return fields.getAsJsonObject("input").get("messages");
    }
}
