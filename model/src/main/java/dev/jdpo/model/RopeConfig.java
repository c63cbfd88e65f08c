package dev.jdpo.model;

/**
 * Rotary position embedding settings, read from {@code rope_parameters} (transformers 5) or from the top-level
 * {@code rope_theta} plus {@code rope_scaling} (older configs).
 *
 * @param theta base of the frequencies
 * @param type "default", "linear" or "llama3"
 * @param factor scaling factor (linear, llama3); 1 for default
 * @param lowFreqFactor llama3 low_freq_factor
 * @param highFreqFactor llama3 high_freq_factor
 * @param originalMaxPositions llama3 original_max_position_embeddings
 */
public record RopeConfig(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
                         int originalMaxPositions) {

    /** Unscaled RoPE with the given base. */
    public static RopeConfig standard(double theta) {
        return new RopeConfig(theta, "default", 1, 0, 0, 0);
    }

    /**
     * Inverse frequencies {@code 1 / theta^(2i/dim)} for i in [0, dim/2), scaled as the type requires; llama3
     * follows transformers' {@code _compute_llama3_parameters} step by step.
     */
    public double[] inverseFrequencies(int headDim) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "llama3" -> applyLlama3(inv);
            default -> { }
        }
        return inv;
    }

    private void applyLlama3(double[] inv) {
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            double scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
            boolean mediumFrequency = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (mediumFrequency) {
                double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            inv[i] = scaled;
        }
    }
}
