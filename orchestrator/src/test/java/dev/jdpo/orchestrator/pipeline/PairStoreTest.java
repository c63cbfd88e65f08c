package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.checkpoint.DatasetFingerprint;
import dev.jdpo.trainer.data.TrainingPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairStoreTest {

    @TempDir
    Path tmp;

    private static List<EncodedPair> pairs(int count, int from) {
        List<EncodedPair> pairs = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            // an empty rejected completion too: an SFT example has none
            pairs.add(new EncodedPair(i + 1, new int[] {i, i + 1}, new int[] {i + 2}, i % 3 == 0 ? new int[0]
                    : new int[] {i + 3, i + 4, i + 5}, i % 2 == 0));
        }
        return pairs;
    }

    @Test
    void pairsReadBackByPositionAfterReopeningAndTheFingerprintIsTheTrainers() throws Exception {
        List<EncodedPair> training = pairs(50, 0);
        List<EncodedPair> validation = pairs(5, 100);
        try (PairStore written = PairStore.write(tmp, training, validation)) {
            assertEquals(50, written.trainingSize());
        }
        try (PairStore store = PairStore.open(tmp).orElseThrow()) {
            assertEquals(50, store.trainingSize());
            for (int i : new int[] {49, 0, 17, 3}) {
                assertSame(training.get(i), store.training(i));
            }
            List<EncodedPair> readValidation = store.validation();
            assertEquals(5, readValidation.size());
            for (int i = 0; i < 5; i++) {
                assertSame(validation.get(i), readValidation.get(i));
            }
            assertEquals(DatasetFingerprint.of(training.stream().map(p -> new TrainingPair(p.promptIds(),
                    p.chosenIds(), p.rejectedIds(), null)).toList()), store.fingerprint());
        }
    }

    @Test
    void aStoreWhoseIndexWasNeverWrittenIsNotOpened() throws Exception {
        PairStore.write(tmp, pairs(3, 0), List.of()).close();
        Files.delete(tmp.resolve("index.bin"));
        assertTrue(PairStore.open(tmp).isEmpty());
        assertTrue(PairStore.open(tmp.resolve("never-written")).isEmpty());
    }

    private static void assertSame(EncodedPair expected, EncodedPair actual) {
        assertEquals(expected.sourceLine(), actual.sourceLine());
        assertArrayEquals(expected.promptIds(), actual.promptIds());
        assertArrayEquals(expected.chosenIds(), actual.chosenIds());
        assertArrayEquals(expected.rejectedIds(), actual.rejectedIds());
        assertEquals(expected.truncated(), actual.truncated());
    }
}
