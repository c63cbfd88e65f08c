package dev.jdpo.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** PEFT's scaling and target matching rules. */
class LoraConfigTest {

    @Test
    void scaleIsAlphaOverRankOrOverItsRootWithRsLora() {
        assertEquals(2.0, new LoraConfig(4, 8, 0, false, TargetModules.allLinear()).scale());
        assertEquals(4.0, new LoraConfig(4, 8, 0, true, TargetModules.allLinear()).scale());
        assertEquals(16 / Math.sqrt(16), new LoraConfig(16, 16, 0.05, true, TargetModules.allLinear()).scale());
    }

    @Test
    void settingsOutOfRangeNameTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new LoraConfig(0, 8, 0, false, TargetModules.allLinear())).getMessage().startsWith("r "));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new LoraConfig(4, -1, 0, false, TargetModules.allLinear())).getMessage()
                .startsWith("lora_alpha "));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new LoraConfig(4, 8, 1, false, TargetModules.allLinear())).getMessage()
                .startsWith("lora_dropout "));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TargetModules.pattern("q_proj(")).getMessage().startsWith("target_modules "));
    }

    @Test
    void namesMatchWholePathComponentsFromTheEnd() {
        TargetModules names = TargetModules.names(List.of("q_proj", "mlp.up_proj"));
        assertTrue(names.selects("model.layers.0.self_attn.q_proj", false));
        assertTrue(names.selects("model.layers.3.mlp.up_proj", false));
        assertFalse(names.selects("model.layers.0.self_attn.k_proj", false));
        assertFalse(TargetModules.names(List.of("proj")).selects("model.layers.0.self_attn.q_proj", false));
        assertFalse(TargetModules.allLinear().selects("lm_head", true));
        assertTrue(TargetModules.allLinear().selects("model.layers.0.mlp.down_proj", false));
    }
}
