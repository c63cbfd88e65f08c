package dev.jdpo.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-written FP16/BF16 conversions: exact widening, round-to-nearest-even narrowing, specials kept. */
class HalfFloatsTest {

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = HalfFloats.f16ToFloat((short) bits);
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(value))), "NaN " + bits);
            } else {
                assertEquals(bits, HalfFloats.floatToF16(value) & 0xffff, "half bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void halfDecodesKnownValues() {
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3c00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xc000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7e00)));
    }

    @Test
    void halfRoundsToNearestEven() {
        // halfway between 1 and the next half (1 + 2^-10) goes to the even one, 1
        assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff);
        // halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even) goes up
        assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff);
        assertEquals(0x3c01, HalfFloats.floatToF16(1f + 0x1p-11f + 0x1p-20f) & 0xffff);
        // subnormals: 2^-25 is a tie between 0 and the smallest subnormal, so it goes to 0; 3*2^-25 goes to 2
        assertEquals(0x0000, HalfFloats.floatToF16(0x1p-25f) & 0xffff);
        assertEquals(0x0002, HalfFloats.floatToF16(3 * 0x1p-25f) & 0xffff);
        // overflow: 65520 is the tie between 65504 and infinity, and rounds to infinity
        assertEquals(0x7bff, HalfFloats.floatToF16(65519f) & 0xffff);
        assertEquals(0x7c00, HalfFloats.floatToF16(65520f) & 0xffff);
        assertEquals(0xfc00, HalfFloats.floatToF16(Float.NEGATIVE_INFINITY) & 0xffff);
        assertEquals(0x8000, HalfFloats.floatToF16(-0f) & 0xffff);
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals(0x3f80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000)) & 0xffff);
        assertEquals(0x3f82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000)) & 0xffff);
        assertEquals(0x3f81, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808001)) & 0xffff);
        assertEquals(0x7f80, HalfFloats.floatToBf16(Float.POSITIVE_INFINITY) & 0xffff);
        // a NaN whose payload sits only in the low bits must not truncate to infinity
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f800001)))));
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = HalfFloats.bf16ToFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertEquals(bits, HalfFloats.floatToBf16(value) & 0xffff);
            }
        }
    }
}
