package dev.jdpo.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.PreferenceExample;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.text.PairTokenizer;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chat template and conversational ids against transformers' apply_chat_template (testdata/golden.json "chat"). */
class ChatTemplateGoldenTest {

    /** The assistant turns whose ids golden.json lists as chosen_ids ("4<|im_end|>\n", "yes<|im_end|>\n"). */
    private static final List<String> ASSISTANT_TURNS = List.of("4", "yes");

    @Test
    void renderedPromptAndIdsEqualTransformers() throws Exception {
        TextTokenizer tokenizer = Fixtures.tokenizer();
        ChatTemplate template = new ChatTemplate(tokenizer.chatTemplate().orElseThrow(), tokenizer.specialTokens());
        PairEncoder encoder = new PairEncoder(tokenizer);
        JsonArray cases = golden().getAsJsonArray("chat");
        assertEquals(ASSISTANT_TURNS.size(), cases.size());
        for (int i = 0; i < cases.size(); i++) {
            JsonObject c = cases.get(i).getAsJsonObject();
            List<ChatMessage> messages = messages(c.getAsJsonArray("messages"));
            String rendered = template.render(messages, List.of(), true);
            assertArrayEquals(c.get("rendered_prompt").getAsString().getBytes(StandardCharsets.UTF_8),
                    rendered.getBytes(StandardCharsets.UTF_8), "rendered prompt of case " + i);
            assertArrayEquals(ints(c.getAsJsonArray("prompt_ids")), tokenizer.encode(rendered));

            PreferenceExample example = PreferenceExample.chat(i + 1, messages,
                    List.of(ChatMessage.of("assistant", ASSISTANT_TURNS.get(i))),
                    List.of(ChatMessage.of("assistant", "something else")), List.of());
            PairTokenizer.TokenIds ids = encoder.encode(example, DataFormat.TRL_CONVERSATIONAL);
            assertArrayEquals(ints(c.getAsJsonArray("prompt_ids")), ids.promptIds());
            assertArrayEquals(ints(c.getAsJsonArray("chosen_ids")), ids.chosenIds(), "chosen ids of case " + i);
        }
    }

    @Test
    void plainTextPairsThroughTheEncoderEqualTransformers() throws Exception {
        PairEncoder encoder = new PairEncoder(Fixtures.tokenizer());
        JsonArray pairs = golden().getAsJsonObject("golden").getAsJsonArray("pairs");
        assertTrue(pairs.size() > 0);
        for (JsonElement p : pairs) {
            JsonObject o = p.getAsJsonObject();
            PairTokenizer.TokenIds ids = encoder.encode(PreferenceExample.text(1, o.get("prompt").getAsString(),
                    o.get("chosen").getAsString(), o.get("rejected").getAsString()), DataFormat.TRL_STANDARD);
            assertArrayEquals(ints(o.getAsJsonArray("prompt_ids")), ids.promptIds());
            assertArrayEquals(ints(o.getAsJsonArray("chosen_ids")), ids.chosenIds());
            assertArrayEquals(ints(o.getAsJsonArray("rejected_ids")), ids.rejectedIds());
        }
    }

    static JsonObject golden() throws Exception {
        return JsonParser.parseString(Files.readString(Fixtures.ROOT.resolve("testdata/golden.json"))).getAsJsonObject();
    }

    private static List<ChatMessage> messages(JsonArray array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonElement e : array) {
            JsonObject m = e.getAsJsonObject();
            out.add(ChatMessage.of(m.get("role").getAsString(), m.get("content").getAsString()));
        }
        return out;
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
