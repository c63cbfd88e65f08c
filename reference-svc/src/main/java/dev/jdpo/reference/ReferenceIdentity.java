package dev.jdpo.reference;

import java.util.Objects;

/**
 * Everything besides the token ids that decides a reference log-prob; all of it goes into the cache key.
 *
 * @param weightsFingerprint hex SHA-256 over the checkpoint's config.json and safetensors files
 * @param tokenizerHash hex SHA-256 of tokenizer.json
 * @param precision the compute precision the reference runs in (FP32, TF32, FP16): it changes the numbers
 */
public record ReferenceIdentity(String weightsFingerprint, String tokenizerHash, String precision) {

    public ReferenceIdentity {
        Objects.requireNonNull(weightsFingerprint, "weightsFingerprint");
        Objects.requireNonNull(tokenizerHash, "tokenizerHash");
        Objects.requireNonNull(precision, "precision");
    }
}
