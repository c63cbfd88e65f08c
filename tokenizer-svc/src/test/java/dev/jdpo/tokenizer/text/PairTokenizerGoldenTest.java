package dev.jdpo.tokenizer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids against transformers' ids in testdata/golden.json. */
class PairTokenizerGoldenTest {

    static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", ".."));
    static JsonObject golden;
    static TextTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        golden = JsonParser.parseString(Files.readString(ROOT.resolve("testdata/golden.json"))).getAsJsonObject();
        tokenizer = TextTokenizer.load(ROOT.resolve("examples/tiny-llama"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void plainTextIdsEqualTransformers() {
        JsonArray cases = golden.getAsJsonArray("tokenization");
        assertTrue(cases.size() > 0);
        for (JsonElement c : cases) {
            JsonObject o = c.getAsJsonObject();
            assertArrayEquals(ints(o.getAsJsonArray("ids")), tokenizer.encode(o.get("text").getAsString()),
                    o.get("text").getAsString());
        }
    }

    @Test
    void pairIdsFollowTrlConvention() {
        PairTokenizer pairs = new PairTokenizer(tokenizer);
        for (String model : new String[] {"golden", "golden_ref"}) {
            for (JsonElement p : golden.getAsJsonObject(model).getAsJsonArray("pairs")) {
                JsonObject o = p.getAsJsonObject();
                PairTokenizer.TokenIds ids = pairs.tokenize(o.get("prompt").getAsString(),
                        o.get("chosen").getAsString(), o.get("rejected").getAsString());
                assertArrayEquals(ints(o.getAsJsonArray("prompt_ids")), ids.promptIds());
                assertArrayEquals(ints(o.getAsJsonArray("chosen_ids")), ids.chosenIds());
                assertArrayEquals(ints(o.getAsJsonArray("rejected_ids")), ids.rejectedIds());
            }
        }
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        SpecialTokens special = tokenizer.specialTokens();
        assertEquals("<|im_end|>", special.eosToken());
        assertEquals(2, special.eosId());
        assertEquals(0, special.padId());
        assertTrue(tokenizer.chatTemplate().orElseThrow().contains("<|im_start|>"));
    }

    @Test
    void longTextIsNotTruncatedAt512() {
        String text = "tree ".repeat(2000);
        assertTrue(tokenizer.encode(text).length > 1000);
    }

    @Test
    void missingTokenizerNamesTheFile(@TempDir Path empty) {
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> TextTokenizer.load(empty));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
