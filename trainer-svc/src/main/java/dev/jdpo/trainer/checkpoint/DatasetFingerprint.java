package dev.jdpo.trainer.checkpoint;

import dev.jdpo.trainer.data.TrainingPair;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Hex SHA-256 over the pairs' token ids and reference sums, so a resume on different data is refused. */
public final class DatasetFingerprint {

    private DatasetFingerprint() { }

    public static String of(List<TrainingPair> pairs) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (TrainingPair pair : pairs) {
                ids(digest, pair.promptIds());
                ids(digest, pair.chosenIds());
                ids(digest, pair.rejectedIds());
                ByteBuffer reference = ByteBuffer.allocate(16);
                if (pair.reference() != null) {
                    reference.putDouble(pair.reference().chosenLogp()).putDouble(pair.reference().rejectedLogp());
                }
                digest.update(reference.array());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    private static void ids(MessageDigest digest, int[] ids) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * (ids.length + 1)).putInt(ids.length);
        for (int id : ids) {
            buffer.putInt(id);
        }
        digest.update(buffer.array());
    }
}
