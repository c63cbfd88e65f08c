package dev.jdpo.reference.pool;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The time a {@link ReferencePool} reads (backoffs, the move-after timer) and waits on; {@link #SYSTEM} in
 * production, a manual one in tests so that backoffs of seconds take none.
 */
public interface PoolClock {

    /** The JVM's monotonic clock, with timers on the pool's own loop. */
    PoolClock SYSTEM = new PoolClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Future<?> schedule(ScheduledExecutorService loop, Runnable task, long delayNanos) {
            return loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    };

    /** Now, in nanoseconds from an arbitrary origin (only differences mean anything). */
    long nanoTime();

    /** Runs {@code task} on {@code loop} once {@code delayNanos} of this clock have passed; the result cancels it. */
    Future<?> schedule(ScheduledExecutorService loop, Runnable task, long delayNanos);
}
