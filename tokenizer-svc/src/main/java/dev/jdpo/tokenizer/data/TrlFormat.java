package dev.jdpo.tokenizer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/** TRL preference rows: explicit {@code prompt}/{@code chosen}/{@code rejected}, as strings or message lists. */
final class TrlFormat {

    private TrlFormat() {
    }

    /** Standard: three strings. */
    static PreferenceExample standard(JsonObject row, long line) throws InvalidRowException {
        String prompt = Messages.nonBlank(JsonFields.string(row, "prompt", "prompt"), "prompt");
        String chosen = Messages.nonBlank(JsonFields.string(row, "chosen", "chosen"), "chosen");
        String rejected = Messages.nonBlank(JsonFields.string(row, "rejected", "rejected"), "rejected");
        Messages.requireDifferent(chosen, rejected, "rejected");
        return PreferenceExample.text(line, prompt, chosen, rejected);
    }

    /** Conversational: three message lists plus optional tools. */
    static PreferenceExample conversational(JsonObject row, long line) throws InvalidRowException {
        List<ChatMessage> prompt = Messages.prompt(JsonFields.array(row, "prompt", "prompt"), "prompt");
        List<ChatMessage> chosen = Messages.completion(JsonFields.array(row, "chosen", "chosen"), "chosen");
        List<ChatMessage> rejected = Messages.completion(JsonFields.array(row, "rejected", "rejected"), "rejected");
        Messages.requireDifferent(chosen, rejected, "rejected");
        return PreferenceExample.chat(line, prompt, chosen, rejected, Messages.tools(row, "tools", "tools"));
    }

    /** Implicit prompt: chosen and rejected hold the whole conversation (or text); the prompt is their common prefix. */
    static PreferenceExample implicit(JsonObject row, long line) throws InvalidRowException {
        JsonElement chosen = JsonFields.required(row, "chosen", "chosen");
        JsonElement rejected = JsonFields.required(row, "rejected", "rejected");
        if (chosen.isJsonArray()) {
            List<ChatMessage> c = Messages.parse(chosen.getAsJsonArray(), "chosen", false);
            List<ChatMessage> r = Messages.parse(JsonFields.asArray(rejected, "rejected"), "rejected", false);
            return splitConversation(line, c, r, Messages.tools(row, "tools", "tools"));
        }
        String c = Messages.nonBlank(JsonFields.asString(chosen, "chosen"), "chosen");
        String r = Messages.nonBlank(JsonFields.asString(rejected, "rejected"), "rejected");
        Messages.requireDifferent(c, r, "rejected");
        int split = ImplicitPrompt.splitText(c, r);
        if (c.substring(0, split).isBlank()) {
            throw new InvalidRowException(ErrorCode.NO_SHARED_PROMPT, "chosen",
                    "chosen and rejected share no leading text to use as the prompt");
        }
        return PreferenceExample.text(line, c.substring(0, split), c.substring(split), r.substring(split));
    }

    /** Shared by implicit TRL rows and UltraFeedback rows: full conversations split at their common prefix. */
    static PreferenceExample splitConversation(long line, List<ChatMessage> chosen, List<ChatMessage> rejected,
                                               List<Object> tools) throws InvalidRowException {
        Messages.requireDifferent(chosen, rejected, "rejected");
        int split = ImplicitPrompt.splitMessages(chosen, rejected);
        if (split == 0) {
            throw new InvalidRowException(ErrorCode.NO_SHARED_PROMPT, "chosen",
                    "chosen and rejected share no leading messages to use as the prompt");
        }
        List<ChatMessage> c = chosen.subList(split, chosen.size());
        List<ChatMessage> r = rejected.subList(split, rejected.size());
        Messages.requireAssistant(c, "chosen", split);
        Messages.requireAssistant(r, "rejected", split);
        return PreferenceExample.chat(line, chosen.subList(0, split), c, r, tools);
    }
}
