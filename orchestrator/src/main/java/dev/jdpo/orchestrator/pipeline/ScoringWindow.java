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
 * on a thread of their own at most {@code window} pairs ahead of the consumer, so scoring overlaps training and
 * memory stays bounded whatever the dataset's size. The order is {@link DataOrder}'s, the trainer's own shuffle,
 * from a given epoch and position on, epoch after epoch, until {@link #close}; a pair not stored yet is waited for.
 */
final class ScoringWindow implements AutoCloseable {

    private static final long POLL_MILLIS = 100;

    private final BlockingQueue<TrainingPair> ready;
    private final Thread producer;
    private volatile boolean closed;
    private volatile Exception failure;

    /**
     * @param scorer   the run's reference scorer, or null for a reference-free run
     * @param window   scored pairs held ahead at most
     */
    ScoringWindow(PairStore store, DataOrder order, int startEpoch, long startPosition,
                  ReferenceScoring.Scorer scorer, boolean perToken, int window) {
        this.ready = new ArrayBlockingQueue<>(window);
        int chunk = Math.max(1, Math.min(window, 64));
        this.producer = new Thread(() -> produce(store, order, startEpoch, (int) startPosition, scorer, perToken,
                chunk), "jdpo-scoring-window");
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(PairStore store, DataOrder order, int epoch, int position, ReferenceScoring.Scorer scorer,
                         boolean perToken, int chunk) {
        try {
            for (int e = epoch; !closed; e++) {
                int[] visit = order.epochOrder(e);
                for (int at = e == epoch ? position : 0; at < visit.length && !closed; at += chunk) {
                    List<EncodedPair> pairs = new ArrayList<>(chunk);
                    for (int i = at; i < Math.min(visit.length, at + chunk); i++) {
                        // a store still being written (a buffered shuffle's) has the pairs below i + window soon
                        while (!store.stored(visit[i], POLL_MILLIS)) {
                            if (closed) {
                                return;
                            }
                        }
                        pairs.add(store.training(visit[i]));
                    }
                    List<TrainingPair> scored = scorer == null ? unscored(pairs) : scorer.score(pairs, at, perToken);
                    for (TrainingPair pair : scored) {
                        while (!closed && !ready.offer(pair, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                            // the window is full: the trainer is behind, which is the point
                        }
                    }
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
