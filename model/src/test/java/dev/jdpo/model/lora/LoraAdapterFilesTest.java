package dev.jdpo.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.safetensors.SafetensorsFile;
import dev.jdpo.model.safetensors.TensorEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PEFT's adapter files: the fixture written back unchanged, and what we refuse, with the field named. */
class LoraAdapterFilesTest {

    private static CausalLM base;

    @TempDir Path temp;

    @BeforeAll
    static void load() throws Exception {
        base = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void theFixtureWrittenBackHasPeftsKeysShapesValuesAndConfig() throws Exception {
        Path out = temp.resolve("written");
        try (LoraAdapter adapter = LoraAdapter.read(Fixtures.tinyLlamaLora(), base, false)) {
            adapter.save(out);
        }
        SafetensorsFile original = SafetensorsFile.open(Fixtures.tinyLlamaLora().resolve(LoraAdapter.WEIGHTS_FILE));
        SafetensorsFile written = SafetensorsFile.open(out.resolve(LoraAdapter.WEIGHTS_FILE));
        assertEquals(original.entries().keySet(), written.entries().keySet());
        for (Map.Entry<String, TensorEntry> tensor : original.entries().entrySet()) {
            String name = tensor.getKey();
            assertArrayEquals(tensor.getValue().shape(), written.entries().get(name).shape(), name);
            assertEquals(tensor.getValue().dtypeName(), written.entries().get(name).dtypeName(), name);
            assertArrayEquals(original.readFloats(name), written.readFloats(name), name);
        }
        JsonObject originalConfig = json(Fixtures.tinyLlamaLora().resolve(LoraAdapter.CONFIG_FILE));
        JsonObject writtenConfig = json(out.resolve(LoraAdapter.CONFIG_FILE));
        for (Map.Entry<String, JsonElement> field : originalConfig.entrySet()) {
            assertEquals(field.getValue(), writtenConfig.get(field.getKey()), field.getKey());
        }
        try (LoraAdapter first = LoraAdapter.read(Fixtures.tinyLlamaLora(), base, false);
             LoraAdapter again = LoraAdapter.read(out, base, false)) {
            assertEquals(first.fingerprint(), again.fingerprint());
        }
    }

    @Test
    void dropoutActsInTrainingModeOnly() throws Exception {
        Path dir = adapterWith(config -> config.addProperty("lora_dropout", 0.5));
        double[] golden;
        try (LoraAdapter fixture = LoraAdapter.read(Fixtures.tinyLlamaLora(), base, false)) {
            base.attachAdapter(fixture);
            golden = LoraGoldenTest.score(base);
        } finally {
            base.detachAdapter();
        }
        try (LoraAdapter adapter = LoraAdapter.read(dir, base, false)) {
            base.attachAdapter(adapter);
            assertArrayEquals(golden, LoraGoldenTest.score(base), 1e-9, "evaluation mode: no dropout");
            adapter.setTraining(true);
            double[] training = LoraGoldenTest.score(base);
            assertTrue(Math.abs(training[0] - golden[0]) > 1e-4, "training mode drops adapter inputs");
        } finally {
            base.detachAdapter();
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("modules_to_save", edit(c -> c.add("modules_to_save", array("lm_head")))),
                Arguments.of("use_dora", edit(c -> c.addProperty("use_dora", true))),
                Arguments.of("bias", edit(c -> c.addProperty("bias", "lora_only"))),
                Arguments.of("fan_in_fan_out", edit(c -> c.addProperty("fan_in_fan_out", true))),
                Arguments.of("rank_pattern",
                        edit(c -> c.add("rank_pattern", JsonParser.parseString("{\"q_proj\":8}")))),
                Arguments.of("peft_type", edit(c -> c.addProperty("peft_type", "IA3"))),
                Arguments.of("target_modules: \"wq\" matches no linear layer",
                        edit(c -> c.add("target_modules", array("q_proj", "wq")))),
                Arguments.of("lora_A.weight has shape [4, 64] but r 2",
                        edit(c -> c.addProperty("r", 2))),
                Arguments.of("k_proj.lora_A.weight (target_modules selects",
                        edit(c -> c.add("target_modules", array("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                "up_proj", "down_proj")))),
                Arguments.of("is not the lora_A or lora_B weight of a module that target_modules selects",
                        edit(c -> c.add("target_modules", array("q_proj")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void unsupportedOrInconsistentAdaptersAreRefusedByName(String named, Consumer<JsonObject> change)
            throws Exception {
        Path dir = adapterWith(change);
        ModelLoadException refused = assertThrows(ModelLoadException.class, () -> LoraAdapter.read(dir, base, false));
        assertTrue(refused.getMessage().contains(named), refused.getMessage());
    }

    @Test
    void aBaseModelNameThatContradictsTheBaseIsRefused() throws Exception {
        Path other = Files.createDirectories(temp.resolve("wider"));
        JsonObject wider = json(Fixtures.tinyLlama().resolve("config.json"));
        wider.addProperty("hidden_size", 128);
        Files.writeString(other.resolve("config.json"), wider.toString());
        Path dir = adapterWith(c -> c.addProperty("base_model_name_or_path", other.toString()));
        ModelLoadException refused = assertThrows(ModelLoadException.class, () -> LoraAdapter.read(dir, base, false));
        assertTrue(refused.getMessage().contains("field base_model_name_or_path names " + other
                + ", whose config.json has hidden_size 128, but the base model has 64"), refused.getMessage());
        // the same architecture (another checkpoint of it), or a name that is no directory here, is accepted
        for (String name : new String[] {Fixtures.tinyLlamaRef().toString(), "org/some-hub-model"}) {
            Path accepted = adapterWith(c -> c.addProperty("base_model_name_or_path", name));
            LoraAdapter.read(accepted, base, false).close();
        }
    }

    @Test
    void missingFilesAreNamed() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        assertTrue(assertThrows(ModelLoadException.class, () -> LoraAdapter.read(empty, base, false)).getMessage()
                .contains("adapter_config.json not found"));
        Path noWeights = adapterWith(c -> { });
        Files.delete(noWeights.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.writeString(noWeights.resolve("adapter_model.bin"), "pickle");
        String message = assertThrows(ModelLoadException.class, () -> LoraAdapter.read(noWeights, base, false))
                .getMessage();
        assertTrue(message.contains("adapter_model.safetensors not found") && message.contains("safe_serialization"),
                message);
        assertFalse(base.adapter().isPresent());
    }

    private Path adapterWith(Consumer<JsonObject> change) throws Exception {
        Path dir = Files.createTempDirectory(temp, "adapter");
        Files.copy(Fixtures.tinyLlamaLora().resolve(LoraAdapter.WEIGHTS_FILE), dir.resolve(LoraAdapter.WEIGHTS_FILE));
        JsonObject config = json(Fixtures.tinyLlamaLora().resolve(LoraAdapter.CONFIG_FILE));
        change.accept(config);
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), config.toString(), StandardCharsets.UTF_8);
        return dir;
    }

    private static Consumer<JsonObject> edit(Consumer<JsonObject> change) {
        return change;
    }

    private static JsonArray array(String... values) {
        JsonArray array = new JsonArray();
        for (String value : values) {
            array.add(value);
        }
        return array;
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
