package dev.jdpo.reference;

/**
 * A tokenized pair as the reference scores it (TRL's split: prompt ids, then each completion's ids), free of the
 * wire format; the arrays are not copied, treat them as read-only.
 *
 * @param index the pair's position in its dataset, echoed in its score and in error messages
 * @param sourceLine 1-based line of the source file, for error messages; 0 when unknown
 */
public record PairTokens(long index, long sourceLine, int[] promptIds, int[] chosenIds, int[] rejectedIds) {

    /** The same ids under another index. */
    public PairTokens withIndex(long newIndex) {
        return new PairTokens(newIndex, sourceLine, promptIds, chosenIds, rejectedIds);
    }
}
