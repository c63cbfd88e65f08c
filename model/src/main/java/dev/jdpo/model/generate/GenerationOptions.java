package dev.jdpo.model.generate;

import dev.jdpo.model.GenerationConfig;
import java.util.List;

/**
 * How to continue a prompt.
 *
 * @param maxNewTokens upper bound on generated tokens
 * @param sample false for greedy (argmax) decoding
 * @param temperature logits are divided by it before sampling
 * @param topP nucleus size: sample among the most likely tokens whose probabilities first reach it
 * @param seed seeds the sampler, so a seeded run is reproducible (in a batch call, prompt k samples with seed + k)
 * @param stopIds generation ends after emitting any of these (the eos ids)
 * @param kvCache reuse each layer's keys and values instead of re-running the whole prefix every step
 */
public record GenerationOptions(int maxNewTokens, boolean sample, double temperature, double topP, long seed,
                                List<Integer> stopIds, boolean kvCache) {

    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (sample && !(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        stopIds = List.copyOf(stopIds);
    }

    /** Argmax decoding with the KV cache. */
    public static GenerationOptions greedy(int maxNewTokens, List<Integer> stopIds) {
        return new GenerationOptions(maxNewTokens, false, 1.0, 1.0, 0, stopIds, true);
    }

    /** Temperature / top-p sampling with the KV cache. */
    public static GenerationOptions sampled(int maxNewTokens, double temperature, double topP, long seed,
                                            List<Integer> stopIds) {
        return new GenerationOptions(maxNewTokens, true, temperature, topP, seed, stopIds, true);
    }

    /** The checkpoint's own defaults: do_sample, temperature, top_p and its eos ids as stop ids. */
    public static GenerationOptions from(GenerationConfig config, int maxNewTokens, long seed) {
        return new GenerationOptions(maxNewTokens, config.doSample(), config.temperature(), config.topP(), seed,
                config.eosTokenIds(), true);
    }

    /** The same options with the KV cache switched on or off. */
    public GenerationOptions withKvCache(boolean enabled) {
        return new GenerationOptions(maxNewTokens, sample, temperature, topP, seed, stopIds, enabled);
    }
}
