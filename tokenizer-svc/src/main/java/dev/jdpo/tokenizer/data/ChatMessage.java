package dev.jdpo.tokenizer.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One chat turn. {@code content} is null only for an assistant turn that carries {@code tool_calls};
 * {@code extra} keeps the other fields (tool_calls, tool_call_id, name, ...) for the chat template.
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {

    /** Roles a prompt may contain. */
    public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    /** Roles a completion may contain. */
    public static final Set<String> OUTPUT_ROLES = Set.of("assistant", "tool");

    public ChatMessage {
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, Map.of());
    }

    /** The message as the Jinja template sees it: role, content, then the extra fields. */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("role", role);
        value.put("content", content);
        value.putAll(extra);
        return value;
    }
}
