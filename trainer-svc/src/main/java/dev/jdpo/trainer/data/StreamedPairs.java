package dev.jdpo.trainer.data;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A training set that arrives as it is trained on: its sender delivers the pairs in the order the run visits them,
 * and this holds only those delivered and not yet taken. Each pair taken calls {@code onTaken}, which asks the
 * sender for one more, so the sender can never be more than its window ahead.
 */
public final class StreamedPairs implements PairSource {

    private final int size;
    private final String fingerprint;
    private final Runnable onTaken;
    private final Deque<TrainingPair> arrived = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param size        pairs in one epoch
     * @param fingerprint the dataset's fingerprint as its sender computed it
     * @param onTaken     called once per pair taken, outside this object's lock
     */
    public StreamedPairs(int size, String fingerprint, Runnable onTaken) {
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
            TrainingPair pair = take();
            if (pair == null) {
                return null;
            }
            batch.add(pair);
            onTaken.run();
        }
        return batch;
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
