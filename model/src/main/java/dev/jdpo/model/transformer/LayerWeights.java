package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * One decoder layer's tensors in HF layout ({@code [out, in]} for projections). Biases are null when the
 * family has none.
 *
 * @param inputNorm [hidden] RMSNorm before attention
 * @param q [heads*headDim, hidden]
 * @param qBias [heads*headDim] or null
 * @param k [kvHeads*headDim, hidden]
 * @param kBias [kvHeads*headDim] or null
 * @param v [kvHeads*headDim, hidden]
 * @param vBias [kvHeads*headDim] or null
 * @param o [hidden, heads*headDim]
 * @param oBias [hidden] or null
 * @param postNorm [hidden] RMSNorm before the MLP
 * @param gate [intermediate, hidden]
 * @param gateBias [intermediate] or null
 * @param up [intermediate, hidden]
 * @param upBias [intermediate] or null
 * @param down [hidden, intermediate]
 * @param downBias [hidden] or null
 */
public record LayerWeights(NDArray inputNorm, NDArray q, NDArray qBias, NDArray k, NDArray kBias, NDArray v,
                           NDArray vBias, NDArray o, NDArray oBias, NDArray postNorm, NDArray gate,
                           NDArray gateBias, NDArray up, NDArray upBias, NDArray down, NDArray downBias) {

    /** Picks layer {@code i}'s tensors out of a name-to-array map (missing biases become null). */
    static LayerWeights from(Map<String, NDArray> tensors, int i) {
        return new LayerWeights(
                tensors.get(WeightLayout.layer(i, "input_layernorm.weight")),
                tensors.get(WeightLayout.layer(i, "self_attn.q_proj.weight")),
                tensors.get(WeightLayout.layer(i, "self_attn.q_proj.bias")),
                tensors.get(WeightLayout.layer(i, "self_attn.k_proj.weight")),
                tensors.get(WeightLayout.layer(i, "self_attn.k_proj.bias")),
                tensors.get(WeightLayout.layer(i, "self_attn.v_proj.weight")),
                tensors.get(WeightLayout.layer(i, "self_attn.v_proj.bias")),
                tensors.get(WeightLayout.layer(i, "self_attn.o_proj.weight")),
                tensors.get(WeightLayout.layer(i, "self_attn.o_proj.bias")),
                tensors.get(WeightLayout.layer(i, "post_attention_layernorm.weight")),
                tensors.get(WeightLayout.layer(i, "mlp.gate_proj.weight")),
                tensors.get(WeightLayout.layer(i, "mlp.gate_proj.bias")),
                tensors.get(WeightLayout.layer(i, "mlp.up_proj.weight")),
                tensors.get(WeightLayout.layer(i, "mlp.up_proj.bias")),
                tensors.get(WeightLayout.layer(i, "mlp.down_proj.weight")),
                tensors.get(WeightLayout.layer(i, "mlp.down_proj.bias")));
    }
}
