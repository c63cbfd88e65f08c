package dev.jdpo.evaluation.pairs;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.tokenizer.data.ChatMessage;
import java.util.List;

/**
 * A pair as a line of OpenAI's (and Azure's) preference fine-tuning JSONL:
 * {@code {"input": {"messages": [...]}, "preferred_output": [assistant], "non_preferred_output": [assistant]}}.
 * A text prompt becomes one user message, as it was rendered for sampling.
 */
public final class PreferenceLines {

    private static final Gson GSON = new Gson();

    private PreferenceLines() {
    }

    public static JsonObject of(SampledPair pair) {
        PromptRow row = pair.preferred().completion().row();
        List<ChatMessage> messages = row.conversational() ? row.messages()
                : List.of(ChatMessage.of("user", row.text()));
        JsonArray prompt = new JsonArray();
        for (ChatMessage message : messages) {
            prompt.add(GSON.toJsonTree(message.toTemplateValue()));
        }
        JsonObject input = new JsonObject();
        input.add("messages", prompt);
        JsonObject line = new JsonObject();
        line.add("input", input);
        line.add("preferred_output", assistant(pair.preferred().completion().answer()));
        line.add("non_preferred_output", assistant(pair.rejected().completion().answer()));
        return line;
    }

    private static JsonArray assistant(String content) {
        JsonObject message = new JsonObject();
        message.addProperty("role", "assistant");
        message.addProperty("content", content);
        JsonArray output = new JsonArray();
        output.add(message);
        return output;
    }
}
