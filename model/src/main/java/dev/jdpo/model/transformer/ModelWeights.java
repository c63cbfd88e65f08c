package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * All tensors of a Llama-family model.
 *
 * @param embed [vocab, hidden] token embeddings
 * @param layers decoder layers in order
 * @param finalNorm [hidden] RMSNorm after the last layer
 * @param lmHead [vocab, hidden]; the same array as {@code embed} when embeddings are tied
 */
public record ModelWeights(NDArray embed, List<LayerWeights> layers, NDArray finalNorm, NDArray lmHead) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /** Builds the holder from HF-named tensors; {@code lm_head.weight} falls back to the embedding when tied. */
    public static ModelWeights from(Map<String, NDArray> tensors, int numLayers, boolean tied) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            layers.add(LayerWeights.from(tensors, i));
        }
        NDArray embed = tensors.get(WeightLayout.EMBED);
        return new ModelWeights(embed, layers, tensors.get(WeightLayout.FINAL_NORM),
                tied ? embed : tensors.get(WeightLayout.LM_HEAD));
    }
}
