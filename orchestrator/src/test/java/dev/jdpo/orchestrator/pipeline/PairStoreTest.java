package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.checkpoint.DatasetFingerprint;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.HeldPairs;
import dev.jdpo.trainer.data.TrainingPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Writes {@code records} in arrival order; the dataset order is {@code order}, the first {@code training}. */
    private PairStore write(List<EncodedPair> records, int[] order, int training) throws Exception {
        return write(records, order, training, DataOrder.DEFAULT_WINDOW);
    }

    private PairStore write(List<EncodedPair> records, int[] order, int training, int window) throws Exception {
        try (PairStore.Writer writer = PairStore.writer(tmp)) {
            for (EncodedPair pair : records) {
                writer.add(pair);
            }
            return writer.finish(order, training, window);
        }
    }

    @Test
    void pairsReadBackInTheStoresOrderAfterReopeningAndTheFingerprintIsTheTrainers() throws Exception {
        List<EncodedPair> records = pairs(55, 0);
        // the dataset order: records reversed, the last 5 of it (records 4..0) held out for validation
        int[] order = new int[55];
        for (int i = 0; i < 55; i++) {
            order[i] = 54 - i;
        }
        List<EncodedPair> training = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            training.add(records.get(order[i]));
        }
        write(records, order, 50).close();
        try (PairStore store = PairStore.open(tmp).orElseThrow()) {
            assertEquals(50, store.trainingSize());
            assertEquals(5, store.validationSize());
            for (int i : new int[] {49, 0, 17, 3}) {
                assertSame(training.get(i), store.training(i));
            }
            List<EncodedPair> readValidation = store.validation();
            assertEquals(5, readValidation.size());
            for (int i = 0; i < 5; i++) {
                assertSame(records.get(4 - i), readValidation.get(i));
            }
            assertEquals(DatasetFingerprint.of(training.stream().map(p -> new TrainingPair(ReferenceScoring.tokens(p),
                    null)).toList()), store.fingerprint());
        }
    }

    @Test
    void aboveItsShuffleWindowTheFingerprintHoldsTheWindowAsTheTrainersDoes() throws Exception {
        List<EncodedPair> records = pairs(20, 0);
        int[] order = new int[20];
        for (int i = 0; i < 20; i++) {
            order[i] = i;
        }
        List<TrainingPair> training = records.stream().map(p -> new TrainingPair(ReferenceScoring.tokens(p), null))
                .toList();
        String atTheWindow;
        try (PairStore store = write(records, order, 20, 20)) {
            atTheWindow = store.fingerprint();
        }
        try (PairStore store = write(records, order, 20, 8)) {
            assertEquals(new HeldPairs(training, 1, 8).fingerprint(), store.fingerprint());
            assertNotEquals(atTheWindow, store.fingerprint(), "another window visits other pairs on resume");
        }
        assertEquals(new HeldPairs(training, 1, 20).fingerprint(), atTheWindow);
        assertEquals(DatasetFingerprint.of(training), atTheWindow, "at or under the window, as before it existed");
    }

    @Test
    void aStoreWhoseIndexWasNeverWrittenIsNotOpened() throws Exception {
        write(pairs(3, 0), new int[] {0, 1, 2}, 3).close();
        Files.delete(tmp.resolve("index.bin"));
        assertTrue(PairStore.open(tmp).isEmpty());
        assertTrue(PairStore.open(tmp.resolve("never-written")).isEmpty());
        try (PairStore.Writer cutShort = PairStore.writer(tmp)) {
            cutShort.add(pairs(1, 0).get(0));
        }
        assertTrue(PairStore.open(tmp).isEmpty(), "a write that never finished leaves no index");
    }

    @Test
    void aStoreInFileOrderIsReadWhileItIsWrittenAndReopenedOnceComplete() throws Exception {
        List<EncodedPair> records = pairs(600, 0);
        try (PairStore.Writer writer = PairStore.writer(tmp);
             PairStore store = writer.inFileOrder(600, "from-the-file", Integer.MAX_VALUE)) {
            for (EncodedPair pair : records.subList(0, 300)) {
                writer.add(pair);
            }
            // records become readable a group of 256 at a time
            assertTrue(store.stored(255, 0));
            assertSame(records.get(17), store.training(17));
            assertFalse(store.stored(256, 10), "not flushed yet");
            Thread late = new Thread(() -> {
                try {
                    for (EncodedPair pair : records.subList(300, 600)) {
                        writer.add(pair);
                    }
                    writer.finishInFileOrder(600, "from-the-file");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            late.start();
            assertTrue(store.stored(599, 30_000), "a waiting read sees the pair once it is written");
            late.join();
            assertSame(records.get(599), store.training(599));
        }
        try (PairStore store = PairStore.open(tmp).orElseThrow()) {
            assertEquals(600, store.trainingSize());
            assertEquals(0, store.validationSize());
            assertEquals("from-the-file", store.fingerprint());
            assertSame(records.get(420), store.training(420));
        }
    }

    @Test
    void aWriterWaitsWhileItIsItsReadAheadPastTheFurthestRecordAReaderAskedFor() throws Exception {
        List<EncodedPair> records = pairs(1000, 0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        try (PairStore.Writer writer = PairStore.writer(tmp);
             PairStore store = writer.inFileOrder(1000, "f", 300)) {
            Thread filling = new Thread(() -> {
                try {
                    for (EncodedPair pair : records) {
                        writer.add(pair);
                        written.incrementAndGet();
                        writer.awaitReaders(stop::get);
                        if (stop.get()) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            filling.start();
            assertWritten(300, written, "no read yet: the writer stops at its read-ahead");
            assertTrue(store.stored(299, 0), "what it wrote before it waited is readable");
            assertWritten(600, written, "record 299 asked for: the writer runs on to 300 records past it");
            assertTrue(store.stored(500, 30_000));
            assertWritten(801, written, "a read further on lets it on again");
            assertSame(records.get(800), store.training(800));
            stop.set(true);
            filling.join(10_000);
            assertFalse(filling.isAlive(), "a stop ends the writer's wait");
            assertEquals(801, written.get());
        }
    }

    /** {@code written} reaches {@code expected} and stays there (a writer that did not wait would pass it). */
    private static void assertWritten(int expected, AtomicInteger written, String why) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (written.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        assertEquals(expected, written.get(), why);
    }

    @Test
    void aReaderWaitingOnAStoreWhoseWritingFailedGetsTheFailure() throws Exception {
        try (PairStore.Writer writer = PairStore.writer(tmp); PairStore store = writer.inFileOrder(10, "f", Integer.MAX_VALUE)) {
            writer.add(pairs(1, 0).get(0));
            writer.fail(new RunFailure("invalid_training_file", "line 2: not JSON", "data.training_file"));
            RunFailure failure = assertThrows(RunFailure.class, () -> store.stored(3, 10_000));
            assertEquals("line 2: not JSON", failure.getMessage());
            assertThrows(IllegalStateException.class, () -> writer.finishInFileOrder(10, "f"),
                    "1 pair for 10 rows");
        }
        assertTrue(PairStore.open(tmp).isEmpty(), "an incomplete store has no index");
    }

    private static void assertSame(EncodedPair expected, EncodedPair actual) {
        assertEquals(expected.sourceLine(), actual.sourceLine());
        assertArrayEquals(expected.promptIds(), actual.promptIds());
        assertArrayEquals(expected.chosenIds(), actual.chosenIds());
        assertArrayEquals(expected.rejectedIds(), actual.rejectedIds());
        assertEquals(expected.truncated(), actual.truncated());
    }
}
