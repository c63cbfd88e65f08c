package dev.jdpo.tokenizer.data;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * OpenAI / Azure preference fine-tuning rows:
 * {@code {"input":{"messages":[...],"tools":[...]},"preferred_output":[...],"non_preferred_output":[...]}}.
 */
final class OpenAiFormat implements RowFormat {

    @Override
    public PreferenceExample parse(JsonObject row, long line) throws InvalidRowException {
        JsonObject input = JsonFields.object(row, "input", "input");
        List<ChatMessage> prompt = Messages.prompt(JsonFields.array(input, "messages", "input.messages"),
                "input.messages");
        List<Object> tools = Messages.tools(input, "tools", "input.tools");
        List<ChatMessage> chosen = Messages.completion(JsonFields.array(row, "preferred_output", "preferred_output"),
                "preferred_output");
        List<ChatMessage> rejected = Messages.completion(
                JsonFields.array(row, "non_preferred_output", "non_preferred_output"), "non_preferred_output");
        Messages.requireDifferent(chosen, rejected, "non_preferred_output");
        return PreferenceExample.chat(line, prompt, chosen, rejected, tools);
    }
}
