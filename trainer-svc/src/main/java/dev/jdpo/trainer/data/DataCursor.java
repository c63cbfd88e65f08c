package dev.jdpo.trainer.data;

/**
 * Where a run stands in its data: pairs already consumed from the shuffled order of one epoch.
 *
 * @param epoch 0-based epoch index
 * @param position pairs of that epoch's order already trained on
 */
public record DataCursor(int epoch, int position) {

    public static final DataCursor START = new DataCursor(0, 0);
}
