package dev.jdpo.trainer.checkpoint;

import dev.jdpo.trainer.data.TrainingPair;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Hex SHA-256 over the pairs' token ids and reference sums, so a resume on different data is refused. */
public final class DatasetFingerprint {

    private final MessageDigest digest;

    /** An empty fingerprint to {@link #add} pairs to in dataset order, for a dataset that is never held whole. */
    public DatasetFingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    public static String of(List<TrainingPair> pairs) {
        DatasetFingerprint fingerprint = new DatasetFingerprint();
        pairs.forEach(fingerprint::add);
        return fingerprint.hex();
    }

    /** Adds the next pair of the dataset; a pair without reference sums hashes zeros in their place. */
    public void add(TrainingPair pair) {
        ids(pair.tokens().promptIds());
        ids(pair.tokens().chosenIds());
        ids(pair.tokens().rejectedIds());
        ByteBuffer reference = ByteBuffer.allocate(16);
        if (pair.reference() != null) {
            reference.putDouble(pair.reference().chosenLogp()).putDouble(pair.reference().rejectedLogp());
        }
        digest.update(reference.array());
    }

    /**
     * Adds the shuffle window of an epoch order that depends on it ({@code DataOrder.buffered}): with another window
     * a resumed run would visit other pairs, so its checkpoint is refused.
     */
    public void shuffleWindow(int window) {
        digest.update(ByteBuffer.allocate(8).putInt(0x77696e64).putInt(window).array());
    }

    /** The fingerprint of the pairs added so far; ends this digest. */
    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    private void ids(int[] ids) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * (ids.length + 1)).putInt(ids.length);
        for (int id : ids) {
            buffer.putInt(id);
        }
        digest.update(buffer.array());
    }
}
