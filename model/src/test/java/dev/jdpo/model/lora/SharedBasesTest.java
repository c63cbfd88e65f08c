package dev.jdpo.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import dev.jdpo.model.SharedBases;
import dev.jdpo.model.transformer.WeightLayout;
import org.junit.jupiter.api.Test;

/**
 * One copy of a frozen base per process: leases share its weights, each with its own adapter, and the weights go
 * with the last lease or hold. Trainable models and merges never touch a shared base.
 */
class SharedBasesTest {

    @Test
    void leasesShareOneCopyOfTheWeights() throws Exception {
        long loads = SharedBases.loads();
        try (CausalLM first = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu());
             CausalLM second = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            assertEquals(loads + 1, SharedBases.loads());
            assertNotSame(first, second);
            assertSame(first.parameters().get(WeightLayout.EMBED), second.parameters().get(WeightLayout.EMBED));
        }
    }

    @Test
    void eachLeaseRunsItsOwnAdapter() throws Exception {
        double[] base;
        double[] adapted;
        try (CausalLM own = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            base = LoraGoldenTest.score(own);
        }
        try (CausalLM own = CausalLM.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(), LoadOptions.cpu())) {
            adapted = LoraGoldenTest.score(own);
        }
        long loads = SharedBases.loads();
        try (CausalLM withAdapter = SharedBases.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(),
                LoadOptions.cpu());
             CausalLM plain = SharedBases.load(Fixtures.tinyLlama(), null, LoadOptions.cpu())) {
            assertEquals(loads + 1, SharedBases.loads());
            assertTrue(plain.adapter().isEmpty());
            assertArrayEquals(adapted, LoraGoldenTest.score(withAdapter), 0.0);
            assertArrayEquals(base, LoraGoldenTest.score(plain), 0.0);
            assertFalse(adapted[0] == base[0], "the fixture adapter changes the log-probs");
        }
    }

    @Test
    void theLastLeaseFreesTheBaseAndTheOthersKeepScoring() throws Exception {
        long loads = SharedBases.loads();
        CausalLM first = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu());
        double[] expected = LoraGoldenTest.score(first);
        try (CausalLM second = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            first.close();
            first.close();
            assertArrayEquals(expected, LoraGoldenTest.score(second), 0.0);
        }
        try (CausalLM again = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            assertEquals(loads + 2, SharedBases.loads(), "loaded again once every lease closed");
            assertArrayEquals(expected, LoraGoldenTest.score(again), 0.0);
        }
    }

    @Test
    void aHoldKeepsTheBaseForTheNextUserWithoutLoadingIt() throws Exception {
        long loads = SharedBases.loads();
        try (SharedBases.Hold hold = SharedBases.hold(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            assertEquals(loads, SharedBases.loads(), "a hold loads nothing");
            SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu()).close();
            try (CausalLM later = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
                assertEquals(loads + 1, SharedBases.loads());
            }
        }
        SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu()).close();
        assertEquals(loads + 2, SharedBases.loads(), "freed with the hold");
    }

    @Test
    void anotherPrecisionOrCheckpointLoadsItsOwnCopy() throws Exception {
        long loads = SharedBases.loads();
        try (CausalLM fp32 = SharedBases.load(Fixtures.tinyLlama(), LoadOptions.cpu());
             CausalLM fp16 = SharedBases.load(Fixtures.tinyLlama(), new LoadOptions(Device.cpu(), Precision.FP16,
                     false));
             CausalLM other = SharedBases.load(Fixtures.tinyLlamaRef(), LoadOptions.cpu())) {
            assertEquals(loads + 3, SharedBases.loads());
            assertNotSame(fp32.parameters().get(WeightLayout.EMBED), fp16.parameters().get(WeightLayout.EMBED));
        }
    }

    @Test
    void onlyTheAdapterOfATrainableLeaseTrains() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> SharedBases.load(Fixtures.tinyLlama(), LoadOptions.trainableCpu()));
        try (CausalLM reference = SharedBases.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(),
                LoadOptions.cpu());
             CausalLM policy = SharedBases.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(),
                     LoadOptions.trainableCpu())) {
            assertTrue(policy.trainableParameters().values().stream().allMatch(array -> array.hasGradient()));
            assertTrue(reference.trainableParameters().values().stream().noneMatch(array -> array.hasGradient()));
            assertTrue(policy.parameters().values().stream().noneMatch(array -> array.hasGradient()));
            assertNotSame(reference.adapter().orElseThrow(), policy.adapter().orElseThrow());
        }
    }

    @Test
    void aSharedBaseIsNeverMergedInto() throws Exception {
        try (CausalLM lease = SharedBases.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(), LoadOptions.cpu())) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, lease::mergeAdapter);
            assertTrue(refused.getMessage().contains("shared"), refused.getMessage());
            assertTrue(lease.adapter().isPresent());
        }
    }
}
