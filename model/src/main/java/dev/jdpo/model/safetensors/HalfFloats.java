package dev.jdpo.model.safetensors;

/**
 * Bit-exact conversions between FP32 and the two 16-bit float formats, written by hand because
 * {@code Float.float16ToFloat} needs Java 20 and BF16 must never reach the PyTorch engine.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** BF16 is the upper half of an FP32, so widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** FP32 to BF16 rounding to nearest even; NaN stays NaN (quiet bit set so truncation cannot make it Inf). */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** IEEE binary16 to FP32, exact for every input including subnormals, infinities and NaN payloads. */
    public static float f16ToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24 is exact in FP32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** FP32 to IEEE binary16 rounding to nearest even; overflow gives infinity, NaN stays NaN. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            return (short) (sign | subnormalHalf(mantissa | 0x800000, 14 - halfExponent));
        }
        int half = (halfExponent << 10) | (mantissa >>> 13);
        // a carry out of the mantissa correctly bumps the exponent (up to infinity)
        return (short) (sign | roundHalfEven(half, mantissa & 0x1fff, 0x1000));
    }

    private static int subnormalHalf(int significand, int shift) {
        if (shift > 24) {
            return 0;
        }
        int kept = significand >>> shift;
        return roundHalfEven(kept, significand & ((1 << shift) - 1), 1 << (shift - 1));
    }

    private static int roundHalfEven(int kept, int remainder, int halfway) {
        if (remainder > halfway || (remainder == halfway && (kept & 1) == 1)) {
            return kept + 1;
        }
        return kept;
    }
}
