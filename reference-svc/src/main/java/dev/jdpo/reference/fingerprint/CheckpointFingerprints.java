package dev.jdpo.reference.fingerprint;

import dev.jdpo.model.ModelFingerprint;
import dev.jdpo.reference.cache.ScoreCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content fingerprints of a checkpoint: {@link ModelFingerprint} for the weights (SHA-256 over config.json and every
 * safetensors file), and SHA-256 of the tokenizer. Hashing gigabytes takes seconds, so the weights fingerprint is
 * remembered in the score cache under the files' signature (real path, sizes, modification times) and recomputed
 * only when a file changes.
 */
public final class CheckpointFingerprints {

    private static final int BUFFER_BYTES = 1 << 20;

    private CheckpointFingerprints() {
    }

    /** The weights fingerprint of {@code modelDir}, from {@code memo} when the files are unchanged. */
    public static String weights(Path modelDir, ScoreCache memo) throws IOException {
        List<Path> files = weightFiles(modelDir);
        String signature = signature(modelDir, files);
        var remembered = memo.checkpointFingerprint(signature);
        if (remembered.isPresent()) {
            return remembered.get();
        }
        String fingerprint = ModelFingerprint.of(modelDir);
        memo.rememberCheckpointFingerprint(signature, fingerprint, modelDir.toRealPath().toString());
        return fingerprint;
    }

    /** The weights fingerprint of {@code modelDir}, always hashed from the bytes. */
    public static String weights(Path modelDir) throws IOException {
        return ModelFingerprint.of(modelDir);
    }

    /**
     * The fingerprint of a base checkpoint with a PEFT LoRA adapter: SHA-256 over the base's fingerprint and the
     * adapter's adapter_config.json and adapter_model.safetensors bytes (adapters are small, so no memo), so two
     * adapters on one base never share cache entries.
     */
    public static String withAdapter(String baseFingerprint, Path adapterDir) throws IOException {
        MessageDigest sha = sha256();
        sha.update(baseFingerprint.getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[1 << 16];
        for (String name : List.of("adapter_config.json", "adapter_model.safetensors")) {
            sha.update(name.getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = Files.newInputStream(adapterDir.resolve(name))) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** SHA-256 of a tokenizer.json file. */
    public static String tokenizer(Path tokenizerJson) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null, "tokenizer file not found");
        }
        MessageDigest sha = sha256();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** config.json and the safetensors files of a checkpoint (what {@link ModelFingerprint} hashes), by name. */
    static List<Path> weightFiles(Path modelDir) throws IOException {
        Path config = modelDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new NoSuchFileException(config.toString(), null, "not a Hugging Face checkpoint: config.json missing");
        }
        List<Path> files = new ArrayList<>();
        files.add(config);
        try (Stream<Path> listing = Files.list(modelDir)) {
            listing.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(files::add);
        }
        if (files.size() == 1) {
            throw new NoSuchFileException(modelDir.toString(), null, "no *.safetensors files in the checkpoint");
        }
        return files;
    }

    private static String signature(Path modelDir, List<Path> files) throws IOException {
        StringBuilder sb = new StringBuilder(modelDir.toRealPath().toString());
        for (Path f : files) {
            sb.append('|').append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                    .append(Files.getLastModifiedTime(f).toInstant());
        }
        return sb.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
