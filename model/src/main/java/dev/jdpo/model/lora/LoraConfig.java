package dev.jdpo.model.lora;

import java.util.Objects;

/**
 * A LoRA adapter's settings in PEFT's terms; the adapted projection computes {@code y = W x + b + s · B (A x)}
 * with {@code A [r, in]}, {@code B [out, r]}.
 *
 * @param r the rank
 * @param loraAlpha {@code lora_alpha}: the scale is {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with
 *     rsLoRA
 * @param loraDropout {@code lora_dropout}: dropout probability on the adapter's input, in training mode only
 * @param useRslora {@code use_rslora}: rank-stabilised scaling
 * @param targetModules {@code target_modules}: which linear layers carry an adapter
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, boolean useRslora,
                         TargetModules targetModules) {

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("r must be a positive integer, got " + r);
        }
        if (!Double.isFinite(loraAlpha) || loraAlpha <= 0) {
            throw new IllegalArgumentException("lora_alpha must be a positive number, got " + loraAlpha);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        Objects.requireNonNull(targetModules, "target_modules");
    }

    /** The factor {@code s} on {@code B A}. */
    public double scale() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }
}
