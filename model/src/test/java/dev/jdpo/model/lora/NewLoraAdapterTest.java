package dev.jdpo.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A new adapter starts as PEFT starts one: A Kaiming-uniform from a seed, B zero, so the model equals its base. */
class NewLoraAdapterTest {

    private static final LoraConfig ALL_LINEAR = new LoraConfig(8, 16, 0.1, false, TargetModules.allLinear());
    private static CausalLM base;

    @BeforeAll
    static void load() throws Exception {
        base = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void firstForwardEqualsTheBase() {
        double[] before = LoraGoldenTest.score(base);
        try (LoraAdapter adapter = LoraAdapter.create(base, ALL_LINEAR, 42, true)) {
            base.attachAdapter(adapter);
            adapter.setTraining(true);
            double[] adapted = LoraGoldenTest.score(base);
            assertArrayEquals(before, adapted, 1e-6);
        } finally {
            base.detachAdapter();
        }
    }

    @Test
    void initialisationFollowsPeft() {
        try (LoraAdapter adapter = LoraAdapter.create(base, ALL_LINEAR, 42, true)) {
            Map<String, NDArray> parameters = adapter.parameters();
            // 2 layers x 7 projections x (A, B); all-linear leaves out lm_head
            assertEquals(28, parameters.size());
            assertTrue(parameters.keySet().stream().noneMatch(key -> key.contains("lm_head")));
            NDArray a = parameters.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight");
            NDArray b = parameters.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
            assertEquals(List.of(8L, 160L), List.of(a.getShape().get(0), a.getShape().get(1)));
            assertEquals(List.of(64L, 8L), List.of(b.getShape().get(0), b.getShape().get(1)));
            float bound = (float) (1 / Math.sqrt(160));
            float max = 0;
            for (float value : a.toFloatArray()) {
                assertTrue(Math.abs(value) <= bound, "Kaiming-uniform bound 1/sqrt(in)");
                max = Math.max(max, Math.abs(value));
            }
            assertTrue(max > 0.9 * bound, "A fills its range");
            for (float value : b.toFloatArray()) {
                assertEquals(0f, value);
            }
            assertTrue(a.hasGradient() && b.hasGradient());
        }
    }

    @Test
    void theSeedDecidesTheFingerprint() {
        try (LoraAdapter first = LoraAdapter.create(base, ALL_LINEAR, 42, false);
             LoraAdapter same = LoraAdapter.create(base, ALL_LINEAR, 42, false);
             LoraAdapter otherSeed = LoraAdapter.create(base, ALL_LINEAR, 43, false);
             LoraAdapter otherScale = LoraAdapter.create(base, new LoraConfig(8, 16, 0.1, true,
                     TargetModules.allLinear()), 42, false)) {
            assertEquals(first.fingerprint(), same.fingerprint());
            assertNotEquals(first.fingerprint(), otherSeed.fingerprint());
            assertNotEquals(first.fingerprint(), otherScale.fingerprint(), "rsLoRA scales B A differently");
        }
    }

    @Test
    void targetsMustExistInTheBase() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.create(
                base, new LoraConfig(4, 8, 0, false, TargetModules.names(List.of("q_proj", "c_attn"))), 1, true));
        assertTrue(missing.getMessage().startsWith("target_modules: \"c_attn\" matches no linear layer"),
                missing.getMessage());
        IllegalArgumentException pattern = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.create(
                base, new LoraConfig(4, 8, 0, false, TargetModules.pattern(".*\\.attn\\.c_proj")), 1, true));
        assertTrue(pattern.getMessage().contains("target_modules"), pattern.getMessage());
    }

    @Test
    void patternsMatchWholeModulePaths() {
        LoraConfig layerZeroQ = new LoraConfig(4, 8, 0, false,
                TargetModules.pattern("model\\.layers\\.0\\.self_attn\\.(q|v)_proj"));
        try (LoraAdapter adapter = LoraAdapter.create(base, layerZeroQ, 1, false)) {
            assertEquals(List.of("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"),
                    List.copyOf(adapter.parameters().keySet()));
        }
        LoraConfig head = new LoraConfig(4, 8, 0, false, TargetModules.names(List.of("lm_head")));
        try (LoraAdapter adapter = LoraAdapter.create(base, head, 1, false)) {
            assertEquals(List.of("base_model.model.lm_head.lora_A.weight", "base_model.model.lm_head.lora_B.weight"),
                    List.copyOf(adapter.parameters().keySet()), "an untied lm_head can be targeted by name");
        }
    }

    @Test
    void anAdapterAttachesOnlyToItsOwnBase() throws Exception {
        try (CausalLM other = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
             LoraAdapter adapter = LoraAdapter.create(base, ALL_LINEAR, 1, false)) {
            assertThrows(IllegalArgumentException.class, () -> other.attachAdapter(adapter));
        }
    }
}
