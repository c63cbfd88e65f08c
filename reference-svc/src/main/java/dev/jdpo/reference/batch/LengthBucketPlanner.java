package dev.jdpo.reference.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Groups sequences into forward passes: sorted by length so each batch holds similar lengths (little padding),
 * and cut whenever the next row would push rows times longest length past the token budget.
 */
public final class LengthBucketPlanner {

    private final BatchLimits limits;

    public LengthBucketPlanner(BatchLimits limits) {
        this.limits = limits;
    }

    /**
     * Plans batches over sequences of the given lengths.
     *
     * @return batches of indices into {@code lengths}, longest sequences first (an out-of-memory shows at once)
     */
    public List<int[]> plan(int[] lengths) {
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        // stable sort: equal lengths keep their input order, so a plan is deterministic
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[b], lengths[a]));
        List<int[]> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int longest = 0;
        for (int index : order) {
            int rowsIfAdded = current.size() + 1;
            int longestIfAdded = Math.max(longest, lengths[index]);
            boolean fits = rowsIfAdded <= limits.maxRows() && (long) rowsIfAdded * longestIfAdded <= limits.maxTokens();
            if (!fits && !current.isEmpty()) {
                batches.add(toArray(current));
                current.clear();
                longestIfAdded = lengths[index];
            }
            current.add(index);
            longest = longestIfAdded;
        }
        if (!current.isEmpty()) {
            batches.add(toArray(current));
        }
        return batches;
    }

    /** Padded tokens of a batch: rows times the longest row. */
    public static long paddedTokens(int[] lengths, int[] batch) {
        int longest = 0;
        for (int i : batch) {
            longest = Math.max(longest, lengths[i]);
        }
        return (long) longest * batch.length;
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
