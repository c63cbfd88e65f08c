package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.io.DataFileException;
import dev.jdpo.tokenizer.io.RowCount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * A streaming run's store written on a thread of its own while the run trains from it: the training file holds more
 * pairs than the shuffle window and none are held out, so the epoch's buffered shuffle ({@code DataOrder}) needs at
 * position j only the first j + window pairs, and training starts once those are tokenized instead of after the
 * whole file. The pair count comes from counting the file's rows up front ({@link RowCount}); each row must become a
 * pair, else the run fails when the file is read ({@link DatasetLoader#fill}). The tokenizer reads only a little
 * past what the run needs ({@link #readAhead}), so a long file is not tokenized for a run that needs its start, nor
 * does reading it compete with training for the cores.
 */
final class StoreFill implements AutoCloseable {

    private final PairStore.Writer writer;
    private final PairStore store;
    private final Thread thread;
    private volatile boolean closed;
    private volatile RunFailure failure;

    private StoreFill(Path dir, RunConfig config, int rows, DatasetLoader loader, RunReporter reporter)
            throws IOException, RunFailure {
        String fingerprint = fingerprint(config, rows);
        writer = PairStore.writer(dir);
        store = writer.inFileOrder(rows, fingerprint, readAhead(config));
        thread = new Thread(() -> fill(config, rows, fingerprint, loader, reporter), "jdpo-store-fill");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts writing {@code config}'s training file into a store in {@code dir}, {@code rows} pairs long. */
    static StoreFill start(Path dir, RunConfig config, int rows, DatasetLoader loader, RunReporter reporter)
            throws IOException, RunFailure {
        return new StoreFill(dir, config, rows, loader, reporter);
    }

    /**
     * The training file's rows when a streaming run can train while it is read: more than data.shuffle_window, no
     * validation file and no data.validation_split. Empty otherwise, or when the file cannot be read
     * here (the tokenizer then reads it, and reports why not).
     */
    static OptionalInt trainsWhileReading(RunConfig config) {
        // a split's held-out pairs are drawn from the whole file: no need to count it
        if (!config.getData().getValidationFile().isEmpty() || config.getData().getValidationSplit() > 0) {
            return OptionalInt.empty();
        }
        int rows;
        try {
            rows = RowCount.of(Path.of(config.getData().getTrainingFile()));
        } catch (DataFileException unreadable) {
            return OptionalInt.empty();
        }
        return DatasetOrder.fileOrder(rows, 0, DatasetOrder.window(config.getData())) ? OptionalInt.of(rows)
                : OptionalInt.empty();
    }

    /**
     * How far the store is written past the furthest pair read. A read of a pair not written yet lets the writer on
     * by itself; this is so reads seldom wait: the next positions draw from up to the shuffle window past it, and
     * the scoring window reads up to its size at once.
     */
    private static int readAhead(RunConfig config) {
        return DatasetOrder.window(config.getData()) + config.getReference().getWindowPairs();
    }

    /** The store the run reads; reads wait for pairs not written yet. */
    PairStore store() {
        return store;
    }

    private void fill(RunConfig config, int rows, String fingerprint, DatasetLoader loader, RunReporter reporter) {
        // a stop leaves the readers waiting: they poll, and stop with the run
        try {
            loader.fill(config, reporter, () -> closed || reporter.stopRequested(), writer, rows, fingerprint);
        } catch (RunFailure failed) {
            fail(failed);
        } catch (IOException unwritable) {
            fail(new RunFailure("internal", "storing the run's tokenized pairs failed: " + unwritable.getMessage(),
                    ""));
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(RunFailure failed) {
        failure = failed;
        writer.fail(failed);
    }

    /** Why writing the store failed (the tokenizer's error, or rows that made no pair), or null. */
    RunFailure failure() {
        return failure;
    }

    /** Stops writing, if it is still going (the run ended first), and waits for the thread. */
    @Override
    public void close() throws InterruptedException, IOException {
        closed = true;
        thread.join();
        writer.close();
        store.close();
    }

    /**
     * Identifies the data in checkpoints before any pair is tokenized (so not over token ids, as a complete store's
     * fingerprint is): the file's bytes, its rows, and what turns them into pairs and orders them.
     */
    private static String fingerprint(RunConfig config, int rows) throws RunFailure {
        String file = config.getData().getTrainingFile();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("jdpo file-order store v1\n" + rows + "\n" + DatasetOrder.window(config.getData()) + "\n"
                    + config.getData().getFormat() + "\n" + config.getTraining().getMaxLength() + "\n"
                    + config.getTraining().getMaxPromptLength() + "\n" + config.getModel().getPolicy() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException unreadable) {
            throw new RunFailure("invalid_training_file", file + ": cannot read: " + unreadable.getMessage(),
                    "data.training_file");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }
}
