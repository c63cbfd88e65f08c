package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Training pairs in the order a run visits them, read from the run's {@link PairStore} and scored by the reference
 * on a thread of their own at most {@code window} pairs ahead of what the trainer reports it took, so scoring
 * overlaps training and memory stays bounded whatever the dataset's size and whatever the transport buffers. The
 * order is {@link DataOrder}'s, the trainer's own shuffle, from a given epoch and position on, epoch after epoch,
 * until {@link #close}.
 */
final class ScoringWindow implements AutoCloseable {

    private static final long POLL_MILLIS = 100;

    /** How many pairs the trainer has taken, as the call reports it. */
    @FunctionalInterface
    interface Taken {
        /** Waits at most {@code millis} for at least {@code count} pairs taken; whether they were. */
        boolean await(long count, long millis) throws InterruptedException;
    }

    private final BlockingQueue<TrainingPair> ready;
    private final Thread producer;
    private volatile boolean closed;
    private volatile Exception failure;

    /**
     * @param scorer the run's reference scorer, or null for a reference-free run
     * @param window scored pairs ahead of the pairs taken, at most
     * @param taken  the pairs the trainer took, counted from the first one this window gives out
     */
    ScoringWindow(PairStore store, long seed, int startEpoch, long startPosition, ReferenceScoring.Scorer scorer,
                  boolean perToken, int window, Taken taken) {
        this.ready = new ArrayBlockingQueue<>(window);
        int chunk = Math.max(1, Math.min(window, 64));
        this.producer = new Thread(() -> produce(store, seed, startEpoch, (int) startPosition, scorer, perToken,
                chunk, window, taken), "jdpo-scoring-window");
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(PairStore store, long seed, int epoch, int position, ReferenceScoring.Scorer scorer,
                         boolean perToken, int chunk, int window, Taken taken) {
        DataOrder order = new DataOrder(seed, store.trainingSize());
        long scoredPairs = 0;
        try {
            for (int e = epoch; !closed; e++) {
                int[] visit = order.epochOrder(e);
                for (int at = e == epoch ? position : 0; at < visit.length && !closed; at += chunk) {
                    int end = Math.min(visit.length, at + chunk);
                    while (!closed && !taken.await(scoredPairs + (end - at) - window, POLL_MILLIS)) {
                        // a window ahead of the trainer: wait until it takes more, which is the point
                    }
                    if (closed) {
                        return;
                    }
                    List<EncodedPair> pairs = new ArrayList<>(end - at);
                    for (int i = at; i < end; i++) {
                        pairs.add(store.training(visit[i]));
                    }
                    List<TrainingPair> scored = scorer == null ? unscored(pairs) : scorer.score(pairs, at, perToken);
                    scoredPairs += scored.size();
                    // never full: what waits here was scored and not yet sent, and the trainer took no more than
                    // was sent
                    ready.addAll(scored);
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (RunFailure | IOException | RuntimeException failed) {
            failure = failed;
        }
    }

    /** Pairs for losses that need no reference log-probs. */
    static List<TrainingPair> unscored(List<EncodedPair> pairs) {
        return pairs.stream().map(p -> new TrainingPair(p.promptIds(), p.chosenIds(), p.rejectedIds(), null))
                .toList();
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
     * Stops the scoring thread after its current chunk and waits for it, so the scorer may be closed. It is not
     * interrupted: an interrupt closes the file channels it may be reading (the store, the score cache).
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        producer.join();
    }
}
