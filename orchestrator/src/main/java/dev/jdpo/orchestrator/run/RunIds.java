package dev.jdpo.orchestrator.run;

import java.security.SecureRandom;

/** New ids: a prefix ("run-" for runs) and 20 base-32 characters (100 random bits), safe in paths and URLs. */
public final class RunIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    static String next() {
        return next("run-");
    }

    public static String next(String prefix) {
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < LENGTH; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }
}
