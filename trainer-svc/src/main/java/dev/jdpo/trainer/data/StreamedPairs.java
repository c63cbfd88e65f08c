package dev.jdpo.trainer.data;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A training set that arrives as it is trained on: its sender delivers the pairs in the order the run visits them,
 * and this holds only those delivered and not yet taken. The pairs taken are reported to {@code onTaken} after each
 * batch and before waiting for a pair, so the sender, which stays within its window of that count, can never be
 * more than its window ahead and never leaves the trainer waiting on a count it has not heard.
 */
public final class StreamedPairs implements PairSource {

    /** Hears the running count of pairs taken; called on the taking thread, outside this object's lock. */
    @FunctionalInterface
    public interface TakenListener {
        void taken(long total) throws InterruptedIOException;
    }

    private final int size;
    private final String fingerprint;
    private final TakenListener onTaken;
    private final Deque<TrainingPair> arrived = new ArrayDeque<>();
    private boolean closed;
    // the taking thread's own counts
    private long taken;
    private long reported;

    /**
     * @param size        pairs in one epoch
     * @param fingerprint the dataset's fingerprint as its sender computed it
     * @param onTaken     told how many pairs were taken so far
     */
    public StreamedPairs(int size, String fingerprint, TakenListener onTaken) {
        if (size <= 0) {
            throw new IllegalArgumentException("no training pairs");
        }
        this.size = size;
        this.fingerprint = fingerprint;
        this.onTaken = onTaken;
    }

    /** The next pair of the visit order has arrived. */
    public synchronized void deliver(TrainingPair pair) {
        arrived.addLast(pair);
        notifyAll();
    }

    /** No more pairs will arrive: a waiting {@link #next} returns null. */
    public synchronized void close() {
        closed = true;
        arrived.clear();
        notifyAll();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /** The next {@code count} pairs as they arrive; the cursor is the sender's business (it sends in visit order). */
    @Override
    public List<TrainingPair> next(DataCursor cursor, int count) throws InterruptedIOException {
        List<TrainingPair> batch = new ArrayList<>(count);
        while (batch.size() < count) {
            TrainingPair pair = poll();
            if (pair == null) {
                // the sender may be waiting for this count before it sends the pair
                report();
                pair = take();
                if (pair == null) {
                    return null;
                }
            }
            batch.add(pair);
            taken++;
        }
        report();
        return batch;
    }

    private void report() throws InterruptedIOException {
        if (taken > reported) {
            reported = taken;
            onTaken.taken(taken);
        }
    }

    private synchronized TrainingPair poll() {
        return closed ? null : arrived.pollFirst();
    }

    private synchronized TrainingPair take() throws InterruptedIOException {
        try {
            while (arrived.isEmpty() && !closed) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for training pairs");
        }
        return closed ? null : arrived.pollFirst();
    }
}
