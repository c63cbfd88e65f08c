package dev.jdpo.tokenizer.pipeline;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 over a pair's ids: for prompt, chosen and rejected in turn, the list length then each id, all as 4-byte
 * big-endian integers. Equal ids give equal hashes, which is how duplicate pairs are found.
 */
public final class ContentHash {

    private ContentHash() {
    }

    public static byte[] digest(int[] promptIds, int[] chosenIds, int[] rejectedIds) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(4 * (3 + promptIds.length + chosenIds.length + rejectedIds.length));
        for (int[] ids : new int[][] {promptIds, chosenIds, rejectedIds}) {
            buffer.putInt(ids.length);
            for (int id : ids) {
                buffer.putInt(id);
            }
        }
        return sha.digest(buffer.array());
    }
}
