package dev.jdpo.tokenizer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses and checks chat message lists; every error names the message's path. */
public final class Messages {

    private Messages() {
    }

    /** A prompt: any known roles, at least one message. */
    public static List<ChatMessage> prompt(JsonArray array, String path) throws InvalidRowException {
        List<ChatMessage> messages = parse(array, path, false);
        if (messages.isEmpty()) {
            throw new InvalidRowException(ErrorCode.EMPTY_CONTENT, path, path + " has no messages");
        }
        return messages;
    }

    /** A completion: only assistant/tool roles and at least one assistant message. */
    static List<ChatMessage> completion(JsonArray array, String path) throws InvalidRowException {
        List<ChatMessage> messages = parse(array, path, true);
        requireAssistant(messages, path);
        return messages;
    }

    static void requireAssistant(List<ChatMessage> messages, String path) throws InvalidRowException {
        requireAssistant(messages, path, 0);
    }

    /** {@code offset}: index of messages.get(0) in the array the path names (completions after an implicit prompt). */
    static void requireAssistant(List<ChatMessage> messages, String path, int offset) throws InvalidRowException {
        for (int i = 0; i < messages.size(); i++) {
            if (!ChatMessage.OUTPUT_ROLES.contains(messages.get(i).role())) {
                String field = JsonFields.path(JsonFields.index(path, i + offset), "role");
                throw new InvalidRowException(ErrorCode.INVALID_OUTPUT_ROLE, field, field + " is '"
                        + messages.get(i).role() + "'; a completion may only hold assistant and tool messages");
            }
        }
        if (messages.stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new InvalidRowException(ErrorCode.MISSING_ASSISTANT_MESSAGE, path,
                    path + " has no assistant message");
        }
    }

    static List<ChatMessage> parse(JsonArray array, String path, boolean output) throws InvalidRowException {
        List<ChatMessage> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            messages.add(message(array.get(i), JsonFields.index(path, i), output));
        }
        return messages;
    }

    private static ChatMessage message(JsonElement element, String path, boolean output) throws InvalidRowException {
        JsonObject object = JsonFields.asObject(element, path);
        String rolePath = JsonFields.path(path, "role");
        String role = JsonFields.string(object, "role", rolePath);
        if (!ChatMessage.ROLES.contains(role)) {
            throw new InvalidRowException(ErrorCode.UNKNOWN_ROLE, rolePath, rolePath + " is '" + role
                    + "'; expected one of system, developer, user, assistant, tool");
        }
        if (output && !ChatMessage.OUTPUT_ROLES.contains(role)) {
            throw new InvalidRowException(ErrorCode.INVALID_OUTPUT_ROLE, rolePath, rolePath + " is '" + role
                    + "'; a completion may only hold assistant and tool messages");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            if (!e.getKey().equals("role") && !e.getKey().equals("content") && !e.getValue().isJsonNull()) {
                extra.put(e.getKey(), JsonFields.toJava(e.getValue()));
            }
        }
        String contentPath = JsonFields.path(path, "content");
        Optional<JsonElement> raw = JsonFields.optional(object, "content");
        boolean hasToolCalls = role.equals("assistant") && extra.get("tool_calls") instanceof List<?> calls
                && !calls.isEmpty();
        if (raw.isEmpty()) {
            if (hasToolCalls) {
                return new ChatMessage(role, null, extra);
            }
            throw new InvalidRowException(ErrorCode.MISSING_FIELD, contentPath, "missing field " + contentPath);
        }
        String content = text(raw.get(), contentPath);
        if (content.isBlank() && !hasToolCalls) {
            throw new InvalidRowException(ErrorCode.EMPTY_CONTENT, contentPath, contentPath + " is empty");
        }
        return new ChatMessage(role, content, extra);
    }

    /** A string, or OpenAI content parts of type "text" joined together. */
    private static String text(JsonElement content, String path) throws InvalidRowException {
        if (!content.isJsonArray()) {
            return JsonFields.asString(content, path);
        }
        StringBuilder text = new StringBuilder();
        JsonArray parts = content.getAsJsonArray();
        for (int i = 0; i < parts.size(); i++) {
            String partPath = JsonFields.index(path, i);
            JsonObject part = JsonFields.asObject(parts.get(i), partPath);
            String type = JsonFields.string(part, "type", JsonFields.path(partPath, "type"));
            if (!type.equals("text")) {
                throw new InvalidRowException(ErrorCode.WRONG_TYPE, JsonFields.path(partPath, "type"),
                        JsonFields.path(partPath, "type") + " is '" + type + "'; only text content is supported");
            }
            text.append(JsonFields.string(part, "text", JsonFields.path(partPath, "text")));
        }
        return text.toString();
    }

    /** Tool definitions: a JSON array, or (as TRL datasets often store them) a string holding one. */
    static List<Object> tools(JsonObject row, String field, String path) throws InvalidRowException {
        Optional<JsonElement> raw = JsonFields.optional(row, field);
        if (raw.isEmpty()) {
            return List.of();
        }
        JsonElement value = raw.get();
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            try {
                value = JsonParser.parseString(value.getAsString());
            } catch (JsonParseException e) {
                throw new InvalidRowException(ErrorCode.WRONG_TYPE, path, path + " is a string but not a JSON array");
            }
        }
        JsonArray array = JsonFields.asArray(value, path);
        List<Object> tools = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            tools.add(JsonFields.toJava(JsonFields.asObject(array.get(i), JsonFields.index(path, i))));
        }
        return tools;
    }

    static void requireDifferent(Object chosen, Object rejected, String rejectedPath) throws InvalidRowException {
        if (chosen.equals(rejected)) {
            throw new InvalidRowException(ErrorCode.IDENTICAL_COMPLETIONS, rejectedPath,
                    rejectedPath + " is identical to the preferred completion");
        }
    }

    static String nonBlank(String text, String path) throws InvalidRowException {
        if (text.isBlank()) {
            throw new InvalidRowException(ErrorCode.EMPTY_CONTENT, path, path + " is empty");
        }
        return text;
    }
}
