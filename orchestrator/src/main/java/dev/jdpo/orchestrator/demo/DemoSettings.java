package dev.jdpo.orchestrator.demo;

import com.google.gson.JsonObject;

/**
 * Sizes and hyperparameters of one demo: the task, the model built from scratch, the supervised stage, the DPO
 * stage and the decoding the violation rates are measured with.
 *
 * @param seed seeds the task, the initial weights and both runs
 * @param trainPrompts prompts for training (supervised answers and preference pairs)
 * @param heldOutPrompts prompts the violation rates are measured on
 * @param violatingShare share of the supervised answers that break the word limit
 * @param hiddenSize the model's hidden size (2 layers, 4 heads over 2 KV heads, SwiGLU at 2.5x)
 * @param sftEpochs supervised epochs over the training prompts
 * @param sftLearningRate supervised learning rate (a model trained from scratch needs a large one)
 * @param dpoEpochs DPO epochs over the preference pairs
 * @param dpoLearningRate DPO learning rate
 * @param beta DPO's beta
 * @param batchSize batch size of both runs
 * @param maxNewTokens generation budget per answer; a violating answer runs past the limit well within it
 */
public record DemoSettings(long seed, int trainPrompts, int heldOutPrompts, double violatingShare, int hiddenSize,
                           int sftEpochs, double sftLearningRate, int dpoEpochs, double dpoLearningRate, double beta,
                           int batchSize, int maxNewTokens) {

    /** What {@code jdpo demo} runs. */
    public static DemoSettings standard(long seed) {
        return new DemoSettings(seed, 412, 100, 0.6, 64, 4, 3e-3, 2, 2e-4, 0.1, 16, 40);
    }

    /** The model's config.json for a tokenizer with this vocabulary and eos / pad ids. */
    public JsonObject modelConfig(int vocabSize, int eosId, int padId) {
        JsonObject config = new JsonObject();
        config.addProperty("architectures", "LlamaForCausalLM");
        config.addProperty("model_type", "llama");
        config.addProperty("vocab_size", vocabSize);
        config.addProperty("hidden_size", hiddenSize);
        config.addProperty("intermediate_size", hiddenSize * 5 / 2);
        config.addProperty("num_hidden_layers", 2);
        config.addProperty("num_attention_heads", 4);
        config.addProperty("num_key_value_heads", 2);
        config.addProperty("hidden_act", "silu");
        config.addProperty("rms_norm_eps", 1e-6);
        config.addProperty("rope_theta", 10000.0);
        config.addProperty("max_position_embeddings", 256);
        config.addProperty("initializer_range", 0.02);
        config.addProperty("tie_word_embeddings", false);
        config.addProperty("eos_token_id", eosId);
        config.addProperty("pad_token_id", padId);
        config.addProperty("torch_dtype", "float32");
        return config;
    }
}
