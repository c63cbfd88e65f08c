package dev.jdpo.host.security;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of the PEM files the TLS settings name, so a typo fails at start-up naming the option and the file. */
final class PemFiles {

    private PemFiles() {
    }

    static void requireReadable(String option, Path file) {
        if (file == null) {
            throw new IllegalArgumentException(option + ": required");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": " + file + " is not a readable file");
        }
    }
}
