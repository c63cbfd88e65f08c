package dev.jdpo.reference;

import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Streaming mode: scores pairs just ahead of training. A background thread reads the source in chunks and scores
 * them while the trainer consumes earlier ones; at most {@code lookaheadChunks} scored chunks wait, so the scorer
 * never runs more than {@code (lookaheadChunks + 1) * chunkPairs} pairs ahead. Order is the source's order.
 * The source iterator is read on the background thread only.
 */
public final class LookaheadScorer implements Iterator<ReferencedPair>, AutoCloseable {

    private sealed interface Item permits Chunk, Failure, End { }

    private record Chunk(List<ReferencedPair> pairs) implements Item { }

    private record Failure(RuntimeException error) implements Item { }

    private record End() implements Item { }

    private final BlockingQueue<Item> ready;
    private final Thread worker;
    private Iterator<ReferencedPair> current = List.<ReferencedPair>of().iterator();
    private boolean finished;

    public LookaheadScorer(PairScorer scorer, Iterator<TokenizedPair> source, int chunkPairs, int lookaheadChunks,
                           boolean perToken) {
        if (chunkPairs < 1 || lookaheadChunks < 1) {
            throw new IllegalArgumentException("chunkPairs and lookaheadChunks must be positive: "
                    + chunkPairs + ", " + lookaheadChunks);
        }
        this.ready = new ArrayBlockingQueue<>(lookaheadChunks);
        this.worker = new Thread(() -> produce(scorer, source, chunkPairs, perToken), "reference-lookahead");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && !finished) {
            Item item = take();
            if (item instanceof Chunk chunk) {
                current = chunk.pairs().iterator();
            } else if (item instanceof Failure failure) {
                finished = true;
                throw failure.error();
            } else {
                finished = true;
            }
        }
        return current.hasNext();
    }

    @Override
    public ReferencedPair next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    /** Stops scoring ahead; pairs not yet consumed are dropped. */
    @Override
    public void close() {
        finished = true;
        worker.interrupt();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void produce(PairScorer scorer, Iterator<TokenizedPair> source, int chunkPairs, boolean perToken) {
        try {
            while (true) {
                List<TokenizedPair> chunk = new ArrayList<>(chunkPairs);
                while (chunk.size() < chunkPairs && source.hasNext()) {
                    chunk.add(source.next());
                }
                if (chunk.isEmpty()) {
                    ready.put(new End());
                    return;
                }
                List<PairScore> scores = scorer.score(chunk, perToken);
                List<ReferencedPair> scored = new ArrayList<>(chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                    scored.add(new ReferencedPair(chunk.get(i), scores.get(i)));
                }
                ready.put(new Chunk(scored));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the consumer rethrows it from hasNext(); the queue may be full, so wait for room unless closed
            try {
                ready.put(new Failure(e));
            } catch (InterruptedException closed) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Item take() {
        try {
            return ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for reference scores", e);
        }
    }
}
