package dev.jdpo.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.TinyCheckpoint;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched generation on the tiny Llama: greedy tokens are the argmax of the scoring path's log-probs, and a
 * left-padded batch of prompts of different lengths gives each prompt what it gets alone, with or without the cache.
 */
class BatchedGenerationTest {

    private static CausalLM model;
    private static List<int[]> prompts;

    @BeforeAll
    static void load() throws Exception {
        model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
        prompts = new ArrayList<>();
        for (JsonElement pair : Fixtures.golden("golden").getAsJsonArray("pairs")) {
            prompts.add(Fixtures.ints(pair.getAsJsonObject().getAsJsonArray("prompt_ids")));
        }
        // lengths 9, 41, 11, 8 and 3, 1: the longest is padded by none, the others by up to 40
        prompts.add(Arrays.copyOf(prompts.get(0), 3));
        prompts.add(Arrays.copyOf(prompts.get(1), 1));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyTokensAreTheArgmaxOfTheScoringPathsLogProbs() {
        int[] prompt = prompts.get(0);
        int[] generated = new Generator(model).generate(prompt, GenerationOptions.greedy(8, List.of())).tokens();
        assertEquals(8, generated.length);
        SequenceScorer scorer = new SequenceScorer(model, 0);
        int vocab = model.config().vocabSize();
        for (int t = 0; t < generated.length; t++) {
            int[] prefix = new int[prompt.length + t];
            System.arraycopy(prompt, 0, prefix, 0, prompt.length);
            System.arraycopy(generated, 0, prefix, prompt.length, t);
            List<TokenSequence> candidates = new ArrayList<>(vocab);
            for (int token = 0; token < vocab; token++) {
                candidates.add(new TokenSequence(prefix, new int[] {token}));
            }
            List<SequenceScore> scores = scorer.score(candidates, 128, false);
            int best = 0;
            for (int token = 1; token < vocab; token++) {
                if (scores.get(token).logp() > scores.get(best).logp()) {
                    best = token;
                }
            }
            assertEquals(best, generated[t], "token " + t + " is the argmax of the next-token log-probs");
        }
    }

    @Test
    void eachPromptOfAPaddedBatchGetsTheTokensItGetsAlone() {
        GenerationOptions options = GenerationOptions.greedy(12, List.of());
        Generator generator = new Generator(model);
        List<GenerationResult> batched = generator.generate(prompts, options, prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(generator.generate(prompts.get(i), options).tokens(), batched.get(i).tokens(),
                    "prompt " + i + " of length " + prompts.get(i).length);
        }
    }

    @Test
    void rowsThatStopLeaveTheBatchWithoutChangingTheOthers() {
        Generator generator = new Generator(model);
        // a token that ends some rows early and not others: the third greedy token of the first prompt
        int stop = generator.generate(prompts.get(0), GenerationOptions.greedy(12, List.of())).tokens()[2];
        GenerationOptions options = GenerationOptions.greedy(12, List.of(stop));
        List<GenerationResult> batched = generator.generate(prompts, options, prompts.size());
        assertTrue(batched.stream().anyMatch(GenerationResult::stopped), "some row stops");
        assertTrue(batched.stream().anyMatch(result -> !result.stopped()), "some row runs to the limit");
        for (int i = 0; i < prompts.size(); i++) {
            GenerationResult alone = generator.generate(prompts.get(i), options);
            assertArrayEquals(alone.tokens(), batched.get(i).tokens(), "prompt " + i);
            assertEquals(alone.stopped(), batched.get(i).stopped(), "prompt " + i);
        }
    }

    @Test
    void theCachedBatchEqualsTheUncachedOne() {
        Generator generator = new Generator(model);
        GenerationOptions options = GenerationOptions.greedy(10, List.of(2));
        List<GenerationResult> cached = generator.generate(prompts, options, 4);
        List<GenerationResult> uncached = generator.generate(prompts, options.withKvCache(false), 4);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(uncached.get(i).tokens(), cached.get(i).tokens(), "prompt " + i);
        }
    }

    @Test
    void aSampledRowDoesNotDependOnItsBatch() {
        Generator generator = new Generator(model);
        GenerationOptions options = GenerationOptions.sampled(10, 1.0, 0.9, 7, List.of());
        List<GenerationResult> batched = generator.generate(prompts, options, 3);
        boolean differs = false;
        for (int i = 0; i < prompts.size(); i++) {
            GenerationOptions alone = GenerationOptions.sampled(10, 1.0, 0.9, 7 + i, List.of());
            assertArrayEquals(generator.generate(prompts.get(i), alone).tokens(), batched.get(i).tokens(),
                    "prompt " + i + " samples with seed 7 + " + i);
            differs |= !Arrays.equals(batched.get(i).tokens(),
                    generator.generate(prompts.get(i), GenerationOptions.greedy(10, List.of())).tokens());
        }
        assertTrue(differs, "sampling is not greedy decoding");
    }

    @Test
    void aSlidingWindowSeesTheSameTokensInAPaddedBatch(@TempDir Path dir) throws Exception {
        JsonObject config = TinyCheckpoint.llamaConfig();
        config.addProperty("model_type", "mistral");
        config.addProperty("sliding_window", 4);
        TinyCheckpoint.write(dir, config, 5);
        try (CausalLM mistral = CausalLM.load(dir, LoadOptions.cpu())) {
            List<int[]> prompts64 = List.of(new int[] {5, 9, 13, 40, 22, 7, 31, 60, 11}, new int[] {3},
                    new int[] {8, 8});
            Generator generator = new Generator(mistral);
            GenerationOptions options = GenerationOptions.greedy(10, List.of());
            List<GenerationResult> batched = generator.generate(prompts64, options, 3);
            List<GenerationResult> uncached = generator.generate(prompts64, options.withKvCache(false), 3);
            for (int i = 0; i < prompts64.size(); i++) {
                int[] alone = generator.generate(prompts64.get(i), options).tokens();
                assertArrayEquals(alone, batched.get(i).tokens(), "prompt " + i);
                assertArrayEquals(alone, uncached.get(i).tokens(), "prompt " + i + " without the cache");
            }
        }
    }

    @Test
    void zeroNewTokensGivesEmptyAnswers() {
        List<GenerationResult> results = new Generator(model).generate(prompts,
                GenerationOptions.greedy(0, List.of()), 2);
        for (GenerationResult result : results) {
            assertEquals(0, result.tokens().length);
            assertFalse(result.stopped());
        }
    }
}
