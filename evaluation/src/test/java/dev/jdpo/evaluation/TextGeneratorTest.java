package dev.jdpo.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.model.generate.Generator;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt rows in each format become the prompt transformers renders, and answers are the decoded generations. */
class TextGeneratorTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path MODEL = ROOT.resolve("examples/tiny-llama");

    private static CausalLM model;
    private static TextTokenizer tokenizer;
    private static JsonObject chatCase;

    @TempDir Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = CausalLM.load(MODEL, LoadOptions.cpu());
        tokenizer = TextTokenizer.load(MODEL);
        String golden = Files.readString(ROOT.resolve("testdata/golden.json"), StandardCharsets.UTF_8);
        chatCase = JsonParser.parseString(golden).getAsJsonObject().getAsJsonArray("chat").get(0).getAsJsonObject();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    private List<PromptRow> rows(String... lines) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return PromptFile.read(file);
    }

    @Test
    void everyChatFormatRendersTheGoldenPromptAndGeneratesFromItsIds() throws Exception {
        JsonArray messages = chatCase.getAsJsonArray("messages");
        JsonArray withAnswer = messages.deepCopy();
        JsonObject reference = new JsonObject();
        reference.addProperty("role", "assistant");
        reference.addProperty("content", "4");
        withAnswer.add(reference);
        List<PromptRow> rows = rows("{\"prompt\": " + messages + "}", "{\"messages\": " + withAnswer + "}",
                "{\"input\": {\"messages\": " + messages + "}, \"preferred_output\": []}");
        GenerationOptions options = GenerationOptions.greedy(6, List.of(2));
        List<Completion> completions = new TextGenerator(model, tokenizer).generate(rows, false, options, 1, 4);
        int[] promptIds = toInts(chatCase.getAsJsonArray("prompt_ids"));
        int[] expected = new Generator(model).generate(promptIds, options).tokens();
        for (Completion completion : completions) {
            assertEquals(chatCase.get("rendered_prompt").getAsString(), completion.promptText());
            int[] answer = completion.stopped() ? Arrays.copyOf(expected, expected.length - 1) : expected;
            assertEquals(tokenizer.decode(answer), completion.answer());
            assertEquals(answer.length, completion.tokens());
        }
        assertEquals(List.of(0, 1, 2), completions.stream().map(Completion::index).toList());
    }

    @Test
    void chatWrapsATextPromptAsAUserMessage() throws Exception {
        List<Completion> completions = new TextGenerator(model, tokenizer).generate(
                List.of(PromptRow.ofText("What is 2 + 2?")), true, GenerationOptions.greedy(1, List.of()), 1, 1);
        assertEquals("<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n",
                completions.get(0).promptText());
        List<Completion> plain = new TextGenerator(model, tokenizer).generate(
                List.of(PromptRow.ofText("What is 2 + 2?")), false, GenerationOptions.greedy(1, List.of()), 1, 1);
        assertEquals("What is 2 + 2?", plain.get(0).promptText());
    }

    @Test
    void theStopTokenEndsAnAnswerAndIsNotPartOfIt() throws Exception {
        TextGenerator generator = new TextGenerator(model, tokenizer);
        PromptRow row = PromptRow.ofText("Is the cat big?");
        int[] free = new Generator(model).generate(tokenizer.encode("Is the cat big?"),
                GenerationOptions.greedy(10, List.of())).tokens();
        Completion stopped = generator.generate(List.of(row), false,
                GenerationOptions.greedy(10, List.of(free[3])), 1, 1).get(0);
        assertTrue(stopped.stopped());
        int firstStop = 0;
        while (free[firstStop] != free[3]) {
            firstStop++;
        }
        assertEquals(firstStop, stopped.tokens());
        assertEquals(tokenizer.decode(Arrays.copyOf(free, firstStop)), stopped.answer());
        assertEquals("stop", stopped.finishReason());
    }

    @Test
    void returnSequencesAreSeededPerAnswerWhateverTheBatch() throws Exception {
        List<PromptRow> rows = rows("{\"prompt\": \"Can birds fly?\"}", "{\"prompt\": \"What is 21 + 9? Answer:\"}");
        GenerationOptions options = GenerationOptions.sampled(8, 1.0, 1.0, 11, List.of());
        TextGenerator generator = new TextGenerator(model, tokenizer);
        List<Completion> together = generator.generate(rows, false, options, 3, 6);
        List<Completion> oneByOne = generator.generate(rows, false, options, 3, 1);
        assertEquals(6, together.size());
        List<String> answers = new ArrayList<>();
        for (int k = 0; k < together.size(); k++) {
            assertEquals(k / 3, together.get(k).index());
            assertEquals(k % 3, together.get(k).sequence());
            assertEquals(oneByOne.get(k).answer(), together.get(k).answer());
            answers.add(together.get(k).answer());
        }
        assertNotEquals(answers.get(0), answers.get(1), "two samples of one prompt differ");
    }

    @Test
    void badPromptRowsNameTheirLine() throws Exception {
        assertTrue(invalid("{\"prompt\": \"ok\"}", "{\"chosen\": \"x\"}").endsWith(":2: no prompt: expected a "
                + "\"prompt\" (text or messages), \"messages\" or \"input.messages\" field"));
        assertTrue(invalid("{\"prompt\": 5}").endsWith(":1: field \"prompt\" must be text or a list of messages"));
        assertTrue(invalid("not json").contains(":1: not valid JSON"));
        assertTrue(invalid("{\"messages\": [{\"role\": \"assistant\", \"content\": \"hi\"}]}")
                .endsWith(":1: messages holds only assistant messages: nothing to answer"));
        assertTrue(invalid("{\"prompt\": [{\"role\": \"robot\", \"content\": \"hi\"}]}")
                .contains(":1: prompt[0].role"));
        assertTrue(invalid("").endsWith(": no prompt rows"));
    }

    private String invalid(String... lines) {
        return assertThrows(InvalidPromptException.class, () -> rows(lines)).getMessage();
    }

    private static int[] toInts(JsonArray array) {
        int[] out = new int[array.size()];
        int i = 0;
        for (JsonElement element : array) {
            out[i++] = element.getAsInt();
        }
        return out;
    }
}
