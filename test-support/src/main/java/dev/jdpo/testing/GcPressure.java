package dev.jdpo.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A background thread that keeps collecting garbage and refilling freed native memory with junk, so a test sees what
 * happens when a GC lands between a forward and its backward: tensors that still alias a freed Java direct buffer
 * then read junk.
 */
public final class GcPressure implements AutoCloseable {

    private static final float JUNK = -1.7e35f;

    private final Thread thread;
    private volatile boolean running = true;

    private GcPressure() {
        thread = new Thread(this::churn, "gc-pressure");
        thread.setDaemon(true);
        thread.start();
    }

    public static GcPressure start() {
        return new GcPressure();
    }

    private void churn() {
        while (running) {
            System.gc();
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 4_000 && running; i++) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(4 << (i % 8));
                while (buffer.remaining() >= 4) {
                    buffer.putFloat(JUNK);
                }
                junk.add(buffer);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
