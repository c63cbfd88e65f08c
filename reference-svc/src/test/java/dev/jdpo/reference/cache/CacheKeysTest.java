package dev.jdpo.reference.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdpo.reference.ReferenceIdentity;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

    private static final ReferenceIdentity REF = new ReferenceIdentity("aa", "bb", "FP32");

    @Test
    void sameContentGivesTheSameKey() {
        byte[] a = CacheKeys.key(REF, new int[] {1, 2}, new int[] {3}, new int[] {4});
        byte[] b = CacheKeys.key(new ReferenceIdentity("aa", "bb", "FP32"), new int[] {1, 2}, new int[] {3}, new int[] {4});
        assertArrayEquals(a, b);
        assertEquals(32, a.length);
    }

    @Test
    void everyComponentChangesTheKey() {
        List<byte[]> keys = List.of(
                CacheKeys.key(REF, new int[] {1, 2}, new int[] {3}, new int[] {4}),
                CacheKeys.key(new ReferenceIdentity("ab", "bb", "FP32"), new int[] {1, 2}, new int[] {3}, new int[] {4}),
                CacheKeys.key(new ReferenceIdentity("aa", "bc", "FP32"), new int[] {1, 2}, new int[] {3}, new int[] {4}),
                CacheKeys.key(new ReferenceIdentity("aa", "bb", "FP16"), new int[] {1, 2}, new int[] {3}, new int[] {4}),
                // the same ids with the prompt/completion boundary moved must not collide
                CacheKeys.key(REF, new int[] {1}, new int[] {2, 3}, new int[] {4}),
                CacheKeys.key(REF, new int[] {1, 2}, new int[] {4}, new int[] {3}),
                CacheKeys.key(REF, new int[] {1, 2}, new int[] {3}, new int[] {5}));
        Set<ByteBuffer> distinct = new HashSet<>();
        keys.forEach(k -> distinct.add(ByteBuffer.wrap(k)));
        assertEquals(keys.size(), distinct.size());
        assertFalse(CacheKeys.hex(keys.get(0)).isEmpty());
    }
}
