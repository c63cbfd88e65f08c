package dev.jdpo.tokenizer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.data.PreferenceExample;
import dev.jdpo.tokenizer.text.PairTokenizer;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where prompt and completion ids split, and the checks that the split is where the text splits. */
class PairEncoderTest {

    @Test
    void aWordSplitAcrossPromptAndCompletionIsABoundaryMismatch() throws Exception {
        TextTokenizer tokenizer = Fixtures.tokenizer();
        String prompt = "Is the tre";
        String chosen = "e big?";
        int[] promptIds = tokenizer.encode(prompt);
        int[] fullIds = tokenizer.encode(prompt + chosen + tokenizer.specialTokens().eosToken());
        assertFalse(PairTokenizer.startsWith(fullIds, promptIds), "precondition: 'tree' merges across the split");

        InvalidRowException e = assertThrows(InvalidRowException.class, () -> new PairEncoder(tokenizer)
                .encode(PreferenceExample.text(1, prompt, chosen, " No."), DataFormat.TRL_STANDARD));
        assertEquals(ErrorCode.TOKEN_BOUNDARY_MISMATCH, e.code());
        assertEquals("chosen", e.field());
    }

    @Test
    void theMismatchNamesTheFormatsFieldOfTheBadSide() throws Exception {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> new PairEncoder(Fixtures.tokenizer())
                .encode(PreferenceExample.text(1, "Is the tre", " No.", "e big?"), DataFormat.OPENAI));
        assertEquals(ErrorCode.TOKEN_BOUNDARY_MISMATCH, e.code());
        assertEquals("non_preferred_output", e.field());
    }

    @Test
    void templateThatRendersThePromptDifferentlyIsReported(@TempDir Path dir) throws Exception {
        Path model = copyTokenizer(dir, "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ 'ASSISTANT: ' }}{% endif %}");
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            InvalidRowException e = assertThrows(InvalidRowException.class, () -> new PairEncoder(tokenizer)
                    .encode(chat(), DataFormat.OPENAI));
            assertEquals(ErrorCode.TEMPLATE_PREFIX_MISMATCH, e.code());
            assertEquals("preferred_output", e.field());
        }
    }

    @Test
    void conversationalRowsNeedAChatTemplate(@TempDir Path dir) throws Exception {
        Path model = copyTokenizer(dir, null);
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            InvalidRowException e = assertThrows(InvalidRowException.class, () -> new PairEncoder(tokenizer)
                    .encode(chat(), DataFormat.ORCA));
            assertEquals(ErrorCode.NO_CHAT_TEMPLATE, e.code());
            assertEquals("question", e.field());
        }
    }

    @Test
    void chatCompletionIsWhatTheTemplateAddsAfterThePrompt() throws Exception {
        TextTokenizer tokenizer = Fixtures.tokenizer();
        PairTokenizer.TokenIds ids = new PairEncoder(tokenizer).encode(chat(), DataFormat.TRL_CONVERSATIONAL);
        assertArrayEquals(tokenizer.encode("Hello<|im_end|>\n"), ids.chosenIds());
        int[] all = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nGo away<|im_end|>\n");
        assertArrayEquals(all, concat(ids.promptIds(), ids.rejectedIds()));
    }

    private static PreferenceExample chat() {
        return PreferenceExample.chat(1, List.of(ChatMessage.of("user", "Hi")),
                List.of(ChatMessage.of("assistant", "Hello")), List.of(ChatMessage.of("assistant", "Go away")),
                List.of());
    }

    private static Path copyTokenizer(Path dir, String template) throws Exception {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.copy(Fixtures.MODEL.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        Files.copy(Fixtures.MODEL.resolve("tokenizer_config.json"), model.resolve("tokenizer_config.json"));
        if (template != null) {
            Files.writeString(model.resolve("chat_template.jinja"), template);
        }
        return model;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
