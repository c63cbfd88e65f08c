package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.tokenizer.pipeline.ShuffleSplit;
import dev.jdpo.trainer.data.DataOrder;

/**
 * Where each tokenized pair of a run sits in its dataset: the training pairs first, then the validation pairs, as
 * record numbers in arrival (file) order. The pairs are shuffled ({@link ShuffleSplit}, from the training seed) and
 * the split's held-out pairs are the last of that shuffle, as the tokenizer does it. Above the shuffle window with no
 * split to draw, the training pairs keep file order: the epoch's buffered shuffle ({@code DataOrder}) is then the
 * only shuffle, so position j of an epoch needs only the first j + window pairs of the file. Both reference modes
 * take their order from here, so they train on the same pairs in the same order.
 *
 * @param order        record numbers, training pairs first
 * @param trainingSize how many of {@code order} are training pairs
 */
record DatasetOrder(int[] order, int trainingSize) {

    /**
     * @param records            pairs read from the training file
     * @param validationRecords  pairs read from a separate validation file after them (0 without one)
     * @param validationSplit    data.validation_split, used only without a validation file
     * @param window             data.shuffle_window
     */
    static DatasetOrder of(int records, int validationRecords, double validationSplit, long seed, int window) {
        int held = validationRecords > 0 ? 0 : ShuffleSplit.validationSize(records, validationSplit);
        int[] order = new int[records + validationRecords];
        if (fileOrder(records, held, window)) {
            for (int i = 0; i < records; i++) {
                order[i] = i;
            }
        } else {
            System.arraycopy(ShuffleSplit.permutation(records, seed), 0, order, 0, records);
        }
        int[] validationOrder = ShuffleSplit.permutation(validationRecords, seed);
        for (int i = 0; i < validationRecords; i++) {
            order[records + i] = records + validationOrder[i];
        }
        return new DatasetOrder(order, records - held);
    }

    /** data.shuffle_window, or its default for a run stored before the field existed. */
    static int window(DataConfig data) {
        return data.getShuffleWindow() > 0 ? data.getShuffleWindow() : DataOrder.DEFAULT_WINDOW;
    }

    /** Whether the training pairs keep file order: more of them than the window, and none held out among them. */
    static boolean fileOrder(int records, int heldOut, int window) {
        return heldOut == 0 && records > window;
    }
}
