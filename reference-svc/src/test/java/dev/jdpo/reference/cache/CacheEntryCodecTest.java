package dev.jdpo.reference.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.model.logprob.PairLogProbs;
import org.junit.jupiter.api.Test;

class CacheEntryCodecTest {

    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 7);
        }
    }

    private static final PairLogProbs WITH_TOKENS = new PairLogProbs(-12.5, -20.25, 2, 3,
            new float[] {-5f, -7.5f}, new float[] {-6f, -7f, -7.25f});

    @Test
    void roundTripsSumsAndPerTokenLogps() throws Exception {
        CacheEntryCodec.Entry entry = CacheEntryCodec.decode(KEY, CacheEntryCodec.encode(KEY, WITH_TOKENS, 1234L));
        assertEquals(WITH_TOKENS, entry.logProbs());
        assertEquals(1234L, entry.lastUsedMillis());

        PairLogProbs sumsOnly = WITH_TOKENS.withoutTokenLogps();
        assertEquals(sumsOnly, CacheEntryCodec.decode(KEY, CacheEntryCodec.encode(KEY, sumsOnly, 0)).logProbs());
    }

    @Test
    void everySingleFlippedBitIsDetected() {
        byte[] value = CacheEntryCodec.encode(KEY, WITH_TOKENS, 99L);
        for (int i = 0; i < value.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = value.clone();
                damaged[i] ^= (byte) (1 << bit);
                assertThrows(CorruptEntryException.class, () -> CacheEntryCodec.decode(KEY, damaged),
                        "flip of bit " + bit + " in byte " + i);
            }
        }
    }

    @Test
    void aValueStoredUnderAnotherKeyIsDetected() {
        byte[] value = CacheEntryCodec.encode(KEY, WITH_TOKENS, 0);
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;
        assertThrows(CorruptEntryException.class, () -> CacheEntryCodec.decode(otherKey, value));
    }

    @Test
    void truncatedValuesAreDetected() {
        byte[] value = CacheEntryCodec.encode(KEY, WITH_TOKENS, 0);
        for (int length = 0; length < value.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(value, length);
            assertThrows(CorruptEntryException.class, () -> CacheEntryCodec.decode(KEY, cut), "length " + length);
        }
    }
}
