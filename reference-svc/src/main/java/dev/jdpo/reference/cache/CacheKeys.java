package dev.jdpo.reference.cache;

import dev.jdpo.reference.ReferenceIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content keys of cache entries: SHA-256 over the reference identity and the pair's token ids. The server computes
 * the key from the ids itself, so a client cannot make one pair's numbers appear under another pair's key.
 */
public final class CacheKeys {

    /** Bumped when the meaning of a stored value changes, so old entries stop matching. */
    private static final String KEY_SCHEME = "jdpo-reference-score/1";

    private CacheKeys() {
    }

    /** The 32-byte key of one pair under one reference. */
    public static byte[] key(ReferenceIdentity reference, int[] promptIds, int[] chosenIds, int[] rejectedIds) {
        MessageDigest sha = sha256();
        putString(sha, KEY_SCHEME);
        putString(sha, reference.weightsFingerprint());
        putString(sha, reference.tokenizerHash());
        putString(sha, reference.precision());
        putIds(sha, promptIds);
        putIds(sha, chosenIds);
        putIds(sha, rejectedIds);
        return sha.digest();
    }

    /** Lower-case hex of a key, for log lines. */
    public static String hex(byte[] key) {
        return HexFormat.of().formatHex(key);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    // Length prefixes keep the fields apart: ([1,2],[3]) and ([1],[2,3]) must not collide.
    private static void putString(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
    }

    private static void putIds(MessageDigest sha, int[] ids) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * ids.length);
        buf.putInt(ids.length);
        for (int id : ids) {
            buf.putInt(id);
        }
        sha.update(buf.array());
    }
}
