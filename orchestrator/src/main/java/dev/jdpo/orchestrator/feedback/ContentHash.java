package dev.jdpo.orchestrator.feedback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in hex: how prompts and texts are compared when pairs are merged. */
final class ContentHash {

    private ContentHash() {
    }

    static String of(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }

    /** The same for a pair in either direction: the prompt and the two texts' hashes, ordered. */
    static String pairKey(String promptHash, String textHashA, String textHashB) {
        boolean ordered = textHashA.compareTo(textHashB) <= 0;
        return of(promptHash + "\n" + (ordered ? textHashA : textHashB) + "\n" + (ordered ? textHashB : textHashA));
    }
}
