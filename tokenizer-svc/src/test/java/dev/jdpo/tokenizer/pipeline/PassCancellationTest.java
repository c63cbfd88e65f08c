package dev.jdpo.tokenizer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.tokenizer.Fixtures;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pass asks its {@link CancelSignal} before every row and reads no row after it fires. */
class PassCancellationTest {

    private static final int ROWS = 100_000;
    private static final int CANCEL_AT = 100;

    @Test
    void loadAndValidateStopAtTheRowWhereTheSignalFires(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("large.jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < ROWS; i++) {
                out.write("{\"prompt\": \"Question " + i + "?\", \"chosen\": \" yes\", \"rejected\": \" no\"}\n");
            }
        }
        for (boolean load : new boolean[] {true, false}) {
            AtomicInteger asked = new AtomicInteger();
            PreferenceDataset dataset = new PreferenceDataset(new PairEncoder(Fixtures.tokenizer()),
                    DataOptions.defaults(), () -> asked.incrementAndGet() > CANCEL_AT);
            CancellationException stopped = assertThrows(CancellationException.class, () -> {
                if (load) {
                    dataset.load(file);
                } else {
                    dataset.validate(file, entry -> { });
                }
            });
            assertEquals(CANCEL_AT + 1, asked.get(), "the signal is asked once per row, and no row after it fired");
            assertEquals(file + ": the pass was cancelled after " + CANCEL_AT + " rows", stopped.getMessage());
        }
    }
}
