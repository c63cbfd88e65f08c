package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.checkpoint.DatasetFingerprint;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's tokenized pairs on disk, written once and read by dataset position as often as the run needs them (each
 * epoch, and again after a restart, without tokenizing again). {@code pairs.bin} holds the records, training pairs
 * first, then the validation pairs; {@code index.bin} their offsets, counts and the training set's fingerprint. The
 * index is written last and moved into place, so a store a crash cut short has none and is written again. Only the
 * offsets stay in memory (8 bytes a pair).
 */
final class PairStore implements AutoCloseable {

    private static final int MAGIC = 0x6a64706f;
    private static final int VERSION = 1;
    private static final String PAIRS = "pairs.bin";
    private static final String INDEX = "index.bin";

    private final FileChannel file;
    private final long[] offsets;
    private final int trainingSize;
    private final String fingerprint;

    private PairStore(FileChannel file, long[] offsets, int trainingSize, String fingerprint) {
        this.file = file;
        this.offsets = offsets;
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
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return Optional.empty();
            }
            int training = in.readInt();
            int validation = in.readInt();
            String fingerprint = in.readUTF();
            long[] offsets = new long[training + validation + 1];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = in.readLong();
            }
            return Optional.of(new PairStore(FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.READ), offsets,
                    training, fingerprint));
        }
    }

    /** Writes the pairs to {@code dir} (replacing an incomplete store there) and opens the result. */
    static PairStore write(Path dir, List<EncodedPair> training, List<EncodedPair> validation) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(INDEX));
        long[] offsets = new long[training.size() + validation.size() + 1];
        DatasetFingerprint fingerprint = new DatasetFingerprint();
        try (OutputStream raw = Files.newOutputStream(dir.resolve(PAIRS));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            int i = 0;
            for (List<EncodedPair> part : List.of(training, validation)) {
                for (EncodedPair pair : part) {
                    if (part == training) {
                        fingerprint.add(new TrainingPair(pair.promptIds(), pair.chosenIds(), pair.rejectedIds(),
                                null));
                    }
                    out.writeLong(pair.sourceLine());
                    out.writeBoolean(pair.truncated());
                    for (int[] ids : new int[][] {pair.promptIds(), pair.chosenIds(), pair.rejectedIds()}) {
                        out.writeInt(ids.length);
                        for (int id : ids) {
                            out.writeInt(id);
                        }
                    }
                    offsets[++i] = out.size() & 0xffffffffL;
                }
            }
            if (out.size() == Integer.MAX_VALUE) {
                throw new IOException("the tokenized data exceeds 2 GiB, more than a run-local store holds");
            }
        }
        Path partial = dir.resolve(INDEX + ".partial");
        String hex = fingerprint.hex();
        try (OutputStream raw = Files.newOutputStream(partial);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(training.size());
            out.writeInt(validation.size());
            out.writeUTF(hex);
            for (long offset : offsets) {
                out.writeLong(offset);
            }
        }
        Files.move(partial, dir.resolve(INDEX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new PairStore(FileChannel.open(dir.resolve(PAIRS), StandardOpenOption.READ), offsets,
                training.size(), hex);
    }

    int trainingSize() {
        return trainingSize;
    }

    /** The training set's fingerprint as the trainer computes it for pairs without reference sums. */
    String fingerprint() {
        return fingerprint;
    }

    /** Training pair {@code position} of the dataset order. */
    EncodedPair training(int position) throws IOException {
        return read(position);
    }

    List<EncodedPair> validation() throws IOException {
        List<EncodedPair> pairs = new ArrayList<>(offsets.length - 1 - trainingSize);
        for (int i = trainingSize; i < offsets.length - 1; i++) {
            pairs.add(read(i));
        }
        return pairs;
    }

    private EncodedPair read(int record) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) (offsets[record + 1] - offsets[record]));
        long at = offsets[record];
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
}
