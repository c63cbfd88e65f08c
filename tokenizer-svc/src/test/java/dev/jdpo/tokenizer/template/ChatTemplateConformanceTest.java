package dev.jdpo.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.text.SpecialTokens;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Llama-3, Qwen-2.5, Mistral and think-splitting templates (namespace, loop.*, tojson with indent, tool calls,
 * trim/lstrip of block lines, raise_exception, Python string methods) against Python Jinja2's output, configured as
 * transformers configures it (templates/cases.json, made by templates/make_cases.py). A loop filter, which Jinjava
 * would silently render empty, must fail loudly instead.
 */
class ChatTemplateConformanceTest {

    private static final SpecialTokens TOKENS = new SpecialTokens("</s>", 2, 0, Optional.of("<s>"));

    static Stream<Arguments> cases() throws Exception {
        try (InputStream in = ChatTemplateConformanceTest.class.getResourceAsStream("/templates/cases.json")) {
            JsonObject root = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            List<Arguments> out = new ArrayList<>();
            root.getAsJsonArray("cases").forEach(c -> out.add(Arguments.of(c.getAsJsonObject().get("name")
                    .getAsString(), c.getAsJsonObject())));
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String name, JsonObject c) throws Exception {
        ChatTemplate template = new ChatTemplate(c.get("template").getAsString(), TOKENS);
        List<ChatMessage> messages = new ArrayList<>();
        c.getAsJsonArray("messages").forEach(m -> messages.add(message(m.getAsJsonObject())));
        List<Object> tools = c.get("tools").isJsonNull() ? List.of() : toJavaList(c.get("tools"));
        boolean generation = c.get("add_generation_prompt").getAsBoolean();
        if (c.has("unsupported")) {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> template.render(messages, tools, generation));
            assertTrue(e.getMessage().contains(c.get("unsupported").getAsString()), e.getMessage());
        } else if (c.has("error")) {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> template.render(messages, tools, generation));
            assertTrue(e.getMessage().contains(c.get("error").getAsString()), e.getMessage());
        } else {
            assertEquals(c.get("expected").getAsString(), template.render(messages, tools, generation));
        }
    }

    private static ChatMessage message(JsonObject m) {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : m.entrySet()) {
            if (!e.getKey().equals("role") && !e.getKey().equals("content")) {
                extra.put(e.getKey(), new Gson().fromJson(e.getValue(), Object.class));
            }
        }
        return new ChatMessage(m.get("role").getAsString(), m.has("content") ? m.get("content").getAsString() : null,
                extra);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> toJavaList(JsonElement array) {
        return new Gson().fromJson(array, List.class);
    }
}
