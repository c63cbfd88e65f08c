package dev.jdpo.trainer.data;

import dev.jdpo.trainer.checkpoint.DatasetFingerprint;
import java.util.ArrayList;
import java.util.List;

/** A training set held whole in memory, visited per epoch in {@link DataOrder}'s seeded shuffle. */
public final class HeldPairs implements PairSource {

    private final List<TrainingPair> pairs;
    private final DataOrder order;
    private final String fingerprint;
    private int orderEpoch = -1;
    private int[] epochOrder;

    /**
     * @param pairs  the training set in dataset order; not empty
     * @param window the shuffle window ({@link DataOrder})
     */
    public HeldPairs(List<TrainingPair> pairs, long seed, int window) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        this.pairs = List.copyOf(pairs);
        this.order = new DataOrder(seed, pairs.size(), window);
        DatasetFingerprint fingerprint = new DatasetFingerprint();
        this.pairs.forEach(fingerprint::add);
        if (order.buffered()) {
            fingerprint.shuffleWindow(window);
        }
        this.fingerprint = fingerprint.hex();
    }

    @Override
    public int size() {
        return pairs.size();
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public List<TrainingPair> next(DataCursor cursor, int count) {
        if (cursor.epoch() != orderEpoch) {
            epochOrder = order.epochOrder(cursor.epoch());
            orderEpoch = cursor.epoch();
        }
        List<TrainingPair> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(pairs.get(epochOrder[cursor.position() + i]));
        }
        return batch;
    }
}
