package dev.jdpo.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Greedy decoding with the KV cache equals re-running the prefix; seeded sampling is reproducible. */
class GeneratorTest {

    private static final int[] PROMPT = {57, 323, 385, 390, 278};
    private static CausalLM model;

    @BeforeAll
    static void load() throws Exception {
        model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyWithKvCacheEqualsFullRecomputation() {
        Generator generator = new Generator(model);
        GenerationOptions options = GenerationOptions.greedy(24, List.of());
        GenerationResult cached = generator.generate(PROMPT, options);
        GenerationResult recomputed = generator.generate(PROMPT, options.withKvCache(false));
        assertEquals(24, cached.tokens().length);
        assertFalse(cached.stopped());
        assertArrayEquals(recomputed.tokens(), cached.tokens());
    }

    @Test
    void generationStopsAtAStopId() {
        Generator generator = new Generator(model);
        int[] free = generator.generate(PROMPT, GenerationOptions.greedy(12, List.of())).tokens();
        int stop = free[4];
        int firstStop = 0;
        while (free[firstStop] != stop) {
            firstStop++;
        }
        GenerationResult stopped = generator.generate(PROMPT, GenerationOptions.greedy(12, List.of(stop)));
        assertTrue(stopped.stopped());
        assertEquals(firstStop + 1, stopped.tokens().length);
        assertEquals(stop, stopped.tokens()[firstStop]);
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsMatter() {
        Generator generator = new Generator(model);
        GenerationOptions options = GenerationOptions.sampled(16, 1.0, 0.95, 42, List.of());
        int[] first = generator.generate(PROMPT, options).tokens();
        assertArrayEquals(first, generator.generate(PROMPT, options).tokens());
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 4; seed++) {
            outcomes.add(java.util.Arrays.toString(generator.generate(PROMPT,
                    GenerationOptions.sampled(16, 1.0, 0.95, seed, List.of())).tokens()));
        }
        assertTrue(outcomes.size() > 1, "different seeds give different samples");
    }

    @Test
    void checkpointDefaultsAreGreedyWithItsEosAsStop() {
        GenerationOptions options = GenerationOptions.from(model.generationConfig(), 8, 0);
        assertFalse(options.sample());
        assertEquals(List.of(2), options.stopIds());
        Generator generator = new Generator(model);
        int[] greedy = generator.generate(PROMPT, GenerationOptions.greedy(8, List.of(2))).tokens();
        assertArrayEquals(greedy, generator.generate(PROMPT, options).tokens());
    }

    @Test
    void tinyTopPKeepsOnlyTheMostLikelyToken() {
        Generator generator = new Generator(model);
        int[] greedy = generator.generate(PROMPT, GenerationOptions.greedy(10, List.of())).tokens();
        int[] nucleus = generator.generate(PROMPT, GenerationOptions.sampled(10, 0.7, 1e-9, 9, List.of())).tokens();
        assertArrayEquals(greedy, nucleus);
    }
}
