package dev.jdpo.reference.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;

/** A pool clock that moves only when told: timers run when {@link #advanceToNextTimer} reaches them. */
final class ManualPoolClock implements PoolClock {

    private record Timer(long dueNanos, ScheduledExecutorService loop, FutureTask<?> task) { }

    private final List<Timer> timers = new ArrayList<>();
    private long now;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Future<?> schedule(ScheduledExecutorService loop, Runnable task, long delayNanos) {
        FutureTask<?> future = new FutureTask<>(task, null);
        timers.add(new Timer(now + Math.max(delayNanos, 0), loop, future));
        return future;
    }

    /** Moves the time to the earliest timer not cancelled and hands it to its loop; false when there is none. */
    synchronized boolean advanceToNextTimer() {
        timers.removeIf(t -> t.task().isCancelled());
        Timer next = timers.stream().min(Comparator.comparingLong(Timer::dueNanos)).orElse(null);
        if (next == null) {
            return false;
        }
        timers.remove(next);
        now = Math.max(now, next.dueNanos());
        next.loop().execute(next.task());
        return true;
    }
}
