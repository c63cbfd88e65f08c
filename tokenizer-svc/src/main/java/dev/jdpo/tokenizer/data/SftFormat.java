package dev.jdpo.tokenizer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * SFT rows, each a prompt and one completion ({@link PreferenceExample#completion}): a {@code messages} list
 * (OpenAI's chat fine-tuning format and TRL's conversational language-modeling format) whose last message, an
 * assistant turn, is the completion; or TRL's {@code prompt}/{@code completion}, both strings or both message lists.
 */
final class SftFormat {

    private SftFormat() {
    }

    /** {@code {"messages":[...],"tools":[...]}}: everything before the last assistant message is the prompt. */
    static PreferenceExample messages(JsonObject row, long line) throws InvalidRowException {
        List<ChatMessage> messages = Messages.parse(JsonFields.array(row, "messages", "messages"), "messages", false);
        int last = messages.size() - 1;
        if (last < 0 || !messages.get(last).role().equals("assistant")) {
            throw new InvalidRowException(ErrorCode.MISSING_ASSISTANT_MESSAGE, "messages", "messages must end with "
                    + "an assistant message, the completion to train on");
        }
        if (last == 0) {
            throw new InvalidRowException(ErrorCode.EMPTY_CONTENT, "messages", "messages has no prompt before its "
                    + "assistant message");
        }
        return PreferenceExample.completion(line, Content.messages(messages.subList(0, last)),
                Content.messages(messages.subList(last, messages.size())), Messages.tools(row, "tools", "tools"));
    }

    /** TRL's prompt-completion rows: two strings, or two message lists plus optional tools. */
    static PreferenceExample promptCompletion(JsonObject row, long line) throws InvalidRowException {
        JsonElement prompt = JsonFields.required(row, "prompt", "prompt");
        JsonElement completion = JsonFields.required(row, "completion", "completion");
        if (prompt.isJsonArray()) {
            return PreferenceExample.completion(line,
                    Content.messages(Messages.prompt(prompt.getAsJsonArray(), "prompt")),
                    Content.messages(Messages.completion(JsonFields.asArray(completion, "completion"), "completion")),
                    Messages.tools(row, "tools", "tools"));
        }
        String promptText = Messages.nonBlank(JsonFields.asString(prompt, "prompt"), "prompt");
        String completionText = Messages.nonBlank(JsonFields.asString(completion, "completion"), "completion");
        return PreferenceExample.completion(line, Content.text(promptText), Content.text(completionText), List.of());
    }
}
