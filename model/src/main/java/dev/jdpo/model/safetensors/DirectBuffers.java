package dev.jdpo.model.safetensors;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees direct and memory-mapped buffers now instead of at some later GC. Java 17 has no public call for it; the
 * JDK's own {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, as Lucene and Netty use it) runs the
 * buffer's cleaner. Without it the loader's staging buffers and mapped tensors stay resident until a GC, which
 * the small Java heap rarely needs: up to a second copy of the weights.
 */
final class DirectBuffers {

    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private DirectBuffers() { }

    /**
     * Unmaps or frees {@code buffer}, which must be the buffer itself (not a slice or view) and never be touched
     * again: nothing may alias it any more (a tensor created from it must have been copied first).
     */
    static void release(ByteBuffer buffer) {
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot free a direct buffer", e);
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
