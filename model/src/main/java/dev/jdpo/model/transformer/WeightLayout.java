package dev.jdpo.model.transformer;

import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Hugging Face tensor names a config implies and their shapes, in transformers' state_dict order. */
public final class WeightLayout {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private WeightLayout() {
    }

    /** Name of a tensor inside decoder layer {@code layer}, e.g. {@code self_attn.q_proj.weight}. */
    public static String layer(int layer, String suffix) {
        return "model.layers." + layer + "." + suffix;
    }

    /** Every tensor the model needs; {@code lm_head.weight} only when embeddings are not tied. */
    public static Map<String, Shape> expectedShapes(ModelConfig c) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long hidden = c.hiddenSize();
        long qWidth = (long) c.numHeads() * c.headDim();
        long kvWidth = (long) c.numKvHeads() * c.headDim();
        shapes.put(EMBED, new Shape(c.vocabSize(), hidden));
        for (int i = 0; i < c.numLayers(); i++) {
            projection(shapes, layer(i, "self_attn.q_proj"), qWidth, hidden, c.qkvBias());
            projection(shapes, layer(i, "self_attn.k_proj"), kvWidth, hidden, c.qkvBias());
            projection(shapes, layer(i, "self_attn.v_proj"), kvWidth, hidden, c.qkvBias());
            projection(shapes, layer(i, "self_attn.o_proj"), hidden, qWidth, c.outputBias());
            projection(shapes, layer(i, "mlp.gate_proj"), c.intermediateSize(), hidden, c.mlpBias());
            projection(shapes, layer(i, "mlp.up_proj"), c.intermediateSize(), hidden, c.mlpBias());
            projection(shapes, layer(i, "mlp.down_proj"), hidden, c.intermediateSize(), c.mlpBias());
            shapes.put(layer(i, "input_layernorm.weight"), new Shape(hidden));
            shapes.put(layer(i, "post_attention_layernorm.weight"), new Shape(hidden));
        }
        shapes.put(FINAL_NORM, new Shape(hidden));
        if (!c.tieWordEmbeddings()) {
            shapes.put(LM_HEAD, new Shape(c.vocabSize(), hidden));
        }
        return shapes;
    }

    private static void projection(Map<String, Shape> shapes, String prefix, long out, long in, boolean bias) {
        shapes.put(prefix + ".weight", new Shape(out, in));
        if (bias) {
            shapes.put(prefix + ".bias", new Shape(out));
        }
    }
}
