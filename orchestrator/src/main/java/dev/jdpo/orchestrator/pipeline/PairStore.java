package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.checkpoint.DatasetFingerprint;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A run's tokenized pairs on disk, written once as the tokenizer sends them and read by dataset position as often as
 * the run needs them (each epoch, and again after a restart, without tokenizing again). {@code pairs.bin} holds the
 * records in the order they arrived (file order); {@code index.bin} their offsets, the dataset order (a permutation
 * of the records: the training pairs, then the validation pairs) and the training set's fingerprint. The index is
 * written last and moved into place, so a store a crash cut short has none and is written again. Only the offsets
 * and the order stay in memory (12 bytes a pair). A store in file order can be read while it is written
 * ({@link Writer#inFileOrder}): a read waits until the writer has stored its record.
 */
final class PairStore implements AutoCloseable {

    private static final int MAGIC = 0x6a64706f;
    private static final int VERSION = 2;
    private static final String PAIRS = "pairs.bin";
    private static final String INDEX = "index.bin";
    // records become readable in groups while the store is written: one flush per group, not per pair
    private static final int PUBLISH_EVERY = 256;

    private final FileChannel file;
    private final Records records;
    private final int[] order;
    private final int trainingSize;
    private final String fingerprint;

    /** @param order the dataset order; null: file order, the training pairs only */
    private PairStore(FileChannel file, Records records, int[] order, int trainingSize, String fingerprint) {
        this.file = file;
        this.records = records;
        this.order = order;
        this.trainingSize = trainingSize;
        this.fingerprint = fingerprint;
    }

    /** The complete store in {@code dir}, if one was written there. */
    static Optional<PairStore> open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return Optional.empty();
        }
        try (InputStream raw = Files.newInputStream(index);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return Optional.empty();
            }
            int records = in.readInt();
            int training = in.readInt();
            String fingerprint = in.readUTF();
            long[] offsets = new long[records + 1];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = in.readLong();
            }
            int[] order = new int[records];
            for (int i = 0; i < records; i++) {
                order[i] = in.readInt();
            }
            return Optional.of(new PairStore(FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.READ),
                    Records.complete(offsets), order, training, fingerprint));
        }
    }

    /** Starts a store in {@code dir}, replacing an incomplete or finished one there. */
    static Writer writer(Path dir) throws IOException {
        return new Writer(dir);
    }

    int trainingSize() {
        return trainingSize;
    }

    int validationSize() {
        return order == null ? 0 : order.length - trainingSize;
    }

    /** The training set's fingerprint as the trainer computes it for pairs without reference sums. */
    String fingerprint() {
        return fingerprint;
    }

    /**
     * Whether training pair {@code position} is stored, waiting up to {@code millis} for a store still being written.
     *
     * @throws RunFailure when writing the store failed (the tokenizer's error, or rows that made no pair)
     */
    boolean stored(int position, long millis) throws RunFailure, InterruptedException {
        return records.await(record(position), millis);
    }

    /** Training pair {@code position} of the dataset order; {@link #stored} first while the store is written. */
    EncodedPair training(int position) throws IOException {
        return read(record(position));
    }

    List<EncodedPair> validation() throws IOException {
        List<EncodedPair> pairs = new ArrayList<>(validationSize());
        for (int i = trainingSize; i < trainingSize + validationSize(); i++) {
            pairs.add(read(order[i]));
        }
        return pairs;
    }

    private int record(int position) {
        return order == null ? position : order[position];
    }

    private EncodedPair read(int record) throws IOException {
        return read(file, records.span(record), record);
    }

    /** @param span the record's start and end offsets */
    private static EncodedPair read(FileChannel file, long[] span, int record) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) (span[1] - span[0]));
        long at = span[0];
        while (bytes.hasRemaining()) {
            int n = file.read(bytes, at + bytes.position());
            if (n < 0) {
                throw new IOException("the run's pair store ends inside record " + record);
            }
        }
        bytes.flip();
        long sourceLine = bytes.getLong();
        boolean truncated = bytes.get() != 0;
        return new EncodedPair(sourceLine, ids(bytes), ids(bytes), ids(bytes), truncated);
    }

    private static int[] ids(ByteBuffer bytes) {
        int[] ids = new int[bytes.getInt()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = bytes.getInt();
        }
        return ids;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /**
     * Appends pairs as they arrive, holding only their offsets; {@link #finish} orders them and writes the index.
     */
    static final class Writer implements AutoCloseable {

        private final Path dir;
        private final FileChannel channel;
        private final Records published = new Records();
        private DataOutputStream out;
        private long[] offsets = new long[1024];
        private int records;
        private long readAhead = Integer.MAX_VALUE;

        private Writer(Path dir) throws IOException {
            this.dir = dir;
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(INDEX));
            channel = FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ);
            out = stream();
        }

        private DataOutputStream stream() {
            return new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        }

        /** Records written so far. */
        int records() {
            return records;
        }

        void add(EncodedPair pair) throws IOException {
            out.writeLong(pair.sourceLine());
            out.writeBoolean(pair.truncated());
            int bytes = 9;
            for (int[] ids : new int[][] {pair.promptIds(), pair.chosenIds(), pair.rejectedIds()}) {
                out.writeInt(ids.length);
                for (int id : ids) {
                    out.writeInt(id);
                }
                bytes += 4 * (ids.length + 1);
            }
            if (records + 1 == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[records + 1] = offsets[records] + bytes;
            records++;
            if (records % PUBLISH_EVERY == 0) {
                publish();
            }
        }

        /** Makes the records written so far readable through {@link #inFileOrder}'s store. */
        private void publish() throws IOException {
            out.flush();
            published.publish(offsets, records);
        }

        /**
         * The store of a training set in file order, readable while this writer writes it; {@link #finishInFileOrder}
         * completes it.
         *
         * @param trainingSize the pairs it will hold (the rows counted up front)
         * @param readAhead how many records {@link #awaitReaders} lets this writer run past the furthest one a
         *     reader asked for
         */
        PairStore inFileOrder(int trainingSize, String fingerprint, int readAhead) throws IOException {
            this.readAhead = readAhead;
            return new PairStore(FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.READ), published, null,
                    trainingSize, fingerprint);
        }

        /**
         * Completes {@link #inFileOrder}'s store: writes its index (file order), so a restart reads it back.
         *
         * @throws IllegalStateException when the records are not the pairs promised
         */
        void finishInFileOrder(int trainingSize, String fingerprint) throws IOException {
            if (records != trainingSize) {
                throw new IllegalStateException(records + " pairs for " + trainingSize + " rows");
            }
            out.flush();
            channel.force(false);
            int[] order = new int[records];
            for (int i = 0; i < records; i++) {
                order[i] = i;
            }
            writeIndex(order, trainingSize, fingerprint);
            publish();
        }

        /**
         * Waits while this writer is more than its read-ahead past the furthest record a reader of
         * {@link #inFileOrder}'s store asked for (a read waiting for a record counts: it lets the writer on), so the
         * tokenizer reads only what training will soon need, its stream held by gRPC flow control meanwhile; returns
         * at once for any other store, or when {@code stop} says so.
         */
        void awaitReaders(BooleanSupplier stop) throws IOException, InterruptedException {
            if (published.asked() + readAhead >= records) {
                return;
            }
            publish();
            boolean room = false;
            while (!room && !stop.getAsBoolean()) {
                room = published.awaitAsked(records - readAhead, ServiceRetries.STOP_POLL_MILLIS);
            }
        }

        /** Readers of {@link #inFileOrder}'s store waiting for records stop waiting: none will come. */
        void fail(RunFailure failure) {
            published.fail(failure);
        }

        /**
         * Writes the index and opens the store.
         *
         * @param order        the dataset order: record numbers, training pairs first, then validation pairs
         * @param trainingSize how many of {@code order} are training pairs
         * @param window       the shuffle window of the epochs' order, in the fingerprint when the order depends on it
         */
        PairStore finish(int[] order, int trainingSize, int window) throws IOException {
            if (order.length != records) {
                throw new IllegalArgumentException("an order of " + order.length + " for " + records + " records");
            }
            out.flush();
            long[] index = Arrays.copyOf(offsets, records + 1);
            DatasetFingerprint fingerprint = new DatasetFingerprint();
            for (int i = 0; i < trainingSize; i++) {
                int record = order[i];
                EncodedPair pair = read(channel, new long[] {index[record], index[record + 1]}, record);
                fingerprint.add(new TrainingPair(ReferenceScoring.tokens(pair), null));
            }
            if (DataOrder.buffered(trainingSize, window)) {
                fingerprint.shuffleWindow(window);
            }
            channel.force(false);
            String hex = fingerprint.hex();
            writeIndex(order, trainingSize, hex);
            return new PairStore(FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.READ),
                    Records.complete(index), order, trainingSize, hex);
        }

        private void writeIndex(int[] order, int trainingSize, String hex) throws IOException {
            Path partial = dir.resolve(INDEX + ".partial");
            try (OutputStream raw = Files.newOutputStream(partial);
                 DataOutputStream indexOut = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                indexOut.writeInt(MAGIC);
                indexOut.writeInt(VERSION);
                indexOut.writeInt(records);
                indexOut.writeInt(trainingSize);
                indexOut.writeUTF(hex);
                for (int i = 0; i <= records; i++) {
                    indexOut.writeLong(offsets[i]);
                }
                for (int record : order) {
                    indexOut.writeInt(record);
                }
            }
            Files.move(partial, dir.resolve(INDEX), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * The records' offsets readers may use: all of them for a complete store; while a store is written, those the
     * writer has flushed, with waits for the rest.
     */
    private static final class Records {

        private long[] offsets = {0};
        private int count;
        // the furthest record a reader asked for: how far a writer may run ahead is counted from it
        private long asked = -1;
        private RunFailure failure;

        static Records complete(long[] offsets) {
            Records records = new Records();
            records.publish(offsets, offsets.length - 1);
            return records;
        }

        /**
         * The first {@code records} records of the writer's offsets are final: shared, not copied (the writer only
         * writes past them, or into a grown copy).
         */
        synchronized void publish(long[] written, int records) {
            offsets = written;
            count = records;
            notifyAll();
        }

        synchronized void fail(RunFailure failed) {
            failure = failed;
            notifyAll();
        }

        synchronized boolean await(int record, long millis) throws RunFailure, InterruptedException {
            if (record > asked) {
                asked = record;
                notifyAll();
            }
            long until = System.nanoTime() + millis * 1_000_000;
            while (record >= count && failure == null) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            if (record >= count) {
                throw failure;
            }
            return true;
        }

        synchronized long asked() {
            return asked;
        }

        /** Whether a reader has asked for record {@code record} or one after it, waiting up to {@code millis}. */
        synchronized boolean awaitAsked(long record, long millis) throws InterruptedException {
            long until = System.nanoTime() + millis * 1_000_000;
            while (asked < record) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }

        synchronized long[] span(int record) {
            return new long[] {offsets[record], offsets[record + 1]};
        }
    }
}
