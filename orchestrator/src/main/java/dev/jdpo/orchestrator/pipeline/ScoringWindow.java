package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Training pairs in the order a run visits them, read from the run's {@link PairStore} and scored by the reference
 * on threads of their own at most {@code window} pairs ahead of what the trainer reports it took, so scoring
 * overlaps training and memory stays bounded whatever the dataset's size and whatever the transport buffers. The
 * order is {@link DataOrder}'s, the trainer's own shuffle, from a given epoch and position on, epoch after epoch,
 * until {@link #close}; a pair not stored yet is waited for.
 */
final class ScoringWindow implements AutoCloseable {

    private static final long POLL_MILLIS = 100;
    /** Pairs per score call: a small last chunk keeps the trainer's wait after the last pair is scored short. */
    private static final int CHUNK_PAIRS = 32;
    /**
     * Chunks at the reference at once: the next one waits at the replicas while one is answered and queued, so the
     * reference never idles between chunks (it is the slower side whose time the overlap hides the trainer's in).
     */
    private static final int CHUNKS_IN_FLIGHT = 3;

    /** How many pairs the trainer has taken, as the call reports it. */
    @FunctionalInterface
    interface Taken {
        /** Waits at most {@code millis} (not at all for 0) for at least {@code count} pairs taken; whether they were. */
        boolean await(long count, long millis) throws InterruptedException;
    }

    private final BlockingQueue<TrainingPair> ready;
    private final ExecutorService scoring;
    private final Thread producer;
    private volatile boolean closed;
    /** The most pairs this window scores in all: empty while the trainer has not said how many it will take. */
    private volatile OptionalLong limit;
    private volatile Exception failure;

    /**
     * @param scorer the run's reference scorer, or null for a reference-free run
     * @param window scored pairs ahead of the pairs taken, at most
     * @param limit  the pairs the trainer's remaining steps take (its {@code started} says), so the reference does
     *               not work past the end of training; empty when the window opens before the trainer started, until
     *               {@link #limit(long)}
     * @param taken  the pairs the trainer took, counted from the first one this window gives out
     */
    ScoringWindow(PairStore store, DataOrder order, int startEpoch, long startPosition, ReferenceScoring.Scorer scorer,
                  boolean perToken, int window, OptionalLong limit, Taken taken) {
        this.limit = limit;
        this.ready = new ArrayBlockingQueue<>(window);
        this.scoring = Executors.newFixedThreadPool(CHUNKS_IN_FLIGHT, r -> {
            Thread thread = new Thread(r, "jdpo-scoring-chunk");
            thread.setDaemon(true);
            return thread;
        });
        int chunk = Math.max(1, Math.min(window, CHUNK_PAIRS));
        this.producer = new Thread(() -> produce(store, order, startEpoch, (int) startPosition, scorer, perToken,
                chunk, window, taken), "jdpo-scoring-window");
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(PairStore store, DataOrder order, int epoch, int position, ReferenceScoring.Scorer scorer,
                         boolean perToken, int chunk, int window, Taken taken) {
        Deque<Future<List<TrainingPair>>> inFlight = new ArrayDeque<>();
        long submitted = 0;
        try {
            epochs:
            for (int e = epoch; !closed; e++) {
                int[] visit = order.epochOrder(e);
                for (int at = e == epoch ? position : 0; at < visit.length && !closed; at += chunk) {
                    int size = chunkSize(visit.length - at, chunk, submitted);
                    if (size == 0) {
                        break epochs;
                    }
                    if (!awaitRoom(submitted + size - window, inFlight, taken)) {
                        return;
                    }
                    // the trainer's count may have arrived during the wait
                    size = chunkSize(size, chunk, submitted);
                    if (size == 0) {
                        break epochs;
                    }
                    int end = at + size;
                    List<EncodedPair> pairs = new ArrayList<>(end - at);
                    for (int i = at; i < end; i++) {
                        // a store still being written (a buffered shuffle's) has the pairs below i + window soon
                        while (!store.stored(visit[i], POLL_MILLIS)) {
                            if (closed) {
                                return;
                            }
                        }
                        pairs.add(store.training(visit[i]));
                    }
                    int first = at;
                    inFlight.addLast(scoring.submit(() -> scorer == null ? unscored(pairs)
                            : scorer.score(pairs, first, perToken)));
                    submitted += pairs.size();
                    while (inFlight.size() >= CHUNKS_IN_FLIGHT || !inFlight.isEmpty() && inFlight.peek().isDone()) {
                        deliver(inFlight.poll());
                    }
                }
            }
            while (!inFlight.isEmpty()) {
                deliver(inFlight.poll());
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException failed) {
            failure = failed.getCause() instanceof Exception cause ? cause : failed;
        } catch (RunFailure | IOException | RuntimeException failed) {
            failure = failed;
        } finally {
            // the scorer may be closed once this returns: no chunk may still be at it
            scoring.shutdown();
            try {
                scoring.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The next chunk's pairs: at most {@code available} and {@code chunk}, and what the limit leaves, once known. */
    private int chunkSize(int available, int chunk, long submitted) {
        int size = Math.min(available, chunk);
        OptionalLong known = limit;
        return known.isPresent() ? (int) Math.max(0, Math.min(size, known.getAsLong() - submitted)) : size;
    }

    /**
     * Waits until the trainer has taken {@code count} pairs, delivering the chunks in flight meanwhile (the
     * trainer may be waiting for them); false once closed.
     */
    private boolean awaitRoom(long count, Deque<Future<List<TrainingPair>>> inFlight, Taken taken)
            throws InterruptedException, ExecutionException {
        while (!closed) {
            if (taken.await(count, inFlight.isEmpty() ? POLL_MILLIS : 0)) {
                return true;
            }
            if (!inFlight.isEmpty()) {
                deliver(inFlight.poll());
            }
        }
        return false;
    }

    /** Queues a chunk's pairs once scored: never full, since the trainer took no more than was sent. */
    private void deliver(Future<List<TrainingPair>> chunk) throws InterruptedException, ExecutionException {
        ready.addAll(chunk.get());
    }

    /** Pairs for losses that need no reference log-probs. */
    static List<TrainingPair> unscored(List<EncodedPair> pairs) {
        return pairs.stream().map(p -> new TrainingPair(ReferenceScoring.tokens(p), null)).toList();
    }

    /** The limit of a window opened before the trainer started, once its {@code started} says it. */
    void limit(long pairs) {
        if (limit.isPresent()) {
            throw new IllegalStateException("the limit is known already: " + limit.getAsLong());
        }
        limit = OptionalLong.of(pairs);
    }

    /**
     * The next pair, or null when none was ready within a short wait (so the caller can look at its call).
     *
     * @throws RunFailure when reading or scoring failed
     */
    TrainingPair poll() throws RunFailure, InterruptedException {
        TrainingPair pair = ready.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (pair == null && failure != null) {
            if (failure instanceof RunFailure runFailure) {
                throw runFailure;
            }
            throw new RunFailure("internal", "reading the run's stored pairs failed: " + failure.getMessage(), "",
                    failure);
        }
        return pair;
    }

    /**
     * Stops the scoring threads after the chunks at the reference and waits for them, so the scorer may be closed.
     * They are not interrupted: an interrupt closes the file channels they may be reading (the store, the score
     * cache).
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        producer.join();
    }
}
