package dev.jdpo.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 identity of a model's weights: config.json and every {@code *.safetensors} file (sorted by name),
 * each framed by its name and length, streamed so multi-GB checkpoints never sit in memory. Caches of
 * reference log-probs key their entries by it.
 */
public final class ModelFingerprint {

    private static final int BUFFER_BYTES = 1 << 20;

    private ModelFingerprint() {
    }

    /** Hex SHA-256 of the model directory's config and weights. */
    public static String of(Path modelDir) throws IOException {
        List<Path> files = new ArrayList<>();
        Path config = modelDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IOException(config + ": missing, cannot fingerprint the model");
        }
        files.add(config);
        try (Stream<Path> listing = Files.list(modelDir)) {
            listing.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted()
                    .forEach(files::add);
        }
        if (files.size() == 1) {
            throw new IOException(modelDir + ": no .safetensors files to fingerprint");
        }
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        for (Path file : files) {
            digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            digest.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Files.size(file)));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (channel.read(buffer.clear()) >= 0) {
                    digest.update(buffer.flip());
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
