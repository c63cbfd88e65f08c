package dev.jdpo.evaluation.prompts;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.data.Messages;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads prompt rows from JSONL. The prompt is {@code "prompt"} (text, or a list of messages as in TRL's formats),
 * else {@code "messages"} (OpenAI's chat format; trailing assistant messages are the reference answer and are left
 * out), else {@code "input": {"messages": [...]}} (OpenAI's preference format). Preference data therefore works as
 * it is. Other fields stay with the row for the criteria.
 */
public final class PromptFile {

    private PromptFile() {
    }

    public static List<PromptRow> read(Path file) throws InvalidPromptException {
        List<PromptRow> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (!line.isBlank()) {
                    rows.add(parse(file + ":" + number + ": ", number, line));
                }
            }
        } catch (NoSuchFileException e) {
            throw new InvalidPromptException(file + ": no such data file", e);
        } catch (IOException e) {
            throw new InvalidPromptException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new InvalidPromptException(file + ": no prompt rows");
        }
        return rows;
    }

    static PromptRow parse(String where, int number, String line) throws InvalidPromptException {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(line);
        } catch (JsonParseException e) {
            throw new InvalidPromptException(where + "not valid JSON: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new InvalidPromptException(where + "expected a JSON object with a prompt");
        }
        JsonObject row = parsed.getAsJsonObject();
        try {
            JsonElement prompt = row.get("prompt");
            if (prompt != null && prompt.isJsonPrimitive() && prompt.getAsJsonPrimitive().isString()) {
                if (prompt.getAsString().isEmpty()) {
                    throw new InvalidPromptException(where + "field \"prompt\" is empty");
                }
                return new PromptRow(number, row, prompt.getAsString(), List.of());
            }
            if (prompt != null && prompt.isJsonArray()) {
                return new PromptRow(number, row, null, Messages.prompt(prompt.getAsJsonArray(), "prompt"));
            }
            if (prompt != null) {
                throw new InvalidPromptException(where + "field \"prompt\" must be text or a list of messages");
            }
            if (row.get("messages") instanceof JsonArray messages) {
                return new PromptRow(number, row, null, withoutAnswer(messages, "messages", where));
            }
            if (row.get("input") instanceof JsonObject input && input.get("messages") instanceof JsonArray messages) {
                return new PromptRow(number, row, null, withoutAnswer(messages, "input.messages", where));
            }
        } catch (InvalidRowException e) {
            throw new InvalidPromptException(where + e.getMessage(), e);
        }
        throw new InvalidPromptException(where + "no prompt: expected a \"prompt\" (text or messages), "
                + "\"messages\" or \"input.messages\" field");
    }

    private static List<ChatMessage> withoutAnswer(JsonArray array, String path, String where)
            throws InvalidRowException, InvalidPromptException {
        List<ChatMessage> messages = new ArrayList<>(Messages.prompt(array, path));
        while (!messages.isEmpty() && messages.get(messages.size() - 1).role().equals("assistant")) {
            messages.remove(messages.size() - 1);
        }
        if (messages.isEmpty()) {
            throw new InvalidPromptException(where + path + " holds only assistant messages: nothing to answer");
        }
        return messages;
    }
}
