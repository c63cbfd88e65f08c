package dev.jdpo.model.lora;

import ai.djl.ndarray.NDArray;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.transformer.WeightLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The linear layers of a loaded model under PEFT's module paths, in transformers' module order. */
final class LinearModules {

    private static final List<String> LAYER_PROJECTIONS = List.of("self_attn.q_proj", "self_attn.k_proj",
            "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");
    static final String LM_HEAD = "lm_head";

    /**
     * One linear layer.
     *
     * @param path PEFT's module path, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param weight the base weight {@code [out, in]}
     */
    record Linear(String path, NDArray weight) {
        boolean lmHead() {
            return path.equals(LM_HEAD);
        }

        long in() {
            return weight.getShape().get(1);
        }

        long out() {
            return weight.getShape().get(0);
        }
    }

    private LinearModules() {
    }

    /** Every linear layer; the LM head only when it is not tied to the embeddings (then it is its own weight). */
    static List<Linear> of(ModelConfig config, Map<String, NDArray> parameters) {
        List<Linear> modules = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            for (String projection : LAYER_PROJECTIONS) {
                String path = WeightLayout.layer(i, projection);
                modules.add(new Linear(path, parameters.get(path + ".weight")));
            }
        }
        if (!config.tieWordEmbeddings()) {
            modules.add(new Linear(LM_HEAD, parameters.get(WeightLayout.LM_HEAD)));
        }
        return modules;
    }
}
