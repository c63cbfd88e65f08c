package dev.jdpo.reference.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthBucketPlannerTest {

    @Test
    void everySequenceIsPlannedExactlyOnceWithinTheLimits() {
        int[] lengths = new Random(7).ints(500, 1, 300).toArray();
        BatchLimits limits = new BatchLimits(1024, 16);
        List<int[]> plan = new LengthBucketPlanner(limits).plan(lengths);
        int[] seen = new int[lengths.length];
        for (int[] batch : plan) {
            assertTrue(batch.length <= limits.maxRows());
            assertTrue(LengthBucketPlanner.paddedTokens(lengths, batch) <= limits.maxTokens());
            for (int i : batch) {
                seen[i]++;
            }
        }
        assertTrue(Arrays.stream(seen).allMatch(n -> n == 1));
    }

    @Test
    void aSequenceLongerThanTheBudgetGetsABatchOfItsOwn() {
        int[] lengths = {10, 5000, 10};
        List<int[]> plan = new LengthBucketPlanner(new BatchLimits(100, 8)).plan(lengths);
        assertEquals(2, plan.size());
        assertTrue(Arrays.equals(new int[] {1}, plan.get(0)));
        assertTrue(Arrays.equals(new int[] {0, 2}, plan.get(1)));
    }

    @Test
    void bucketingByLengthPadsFarLessThanArrivalOrder() {
        int[] lengths = new Random(3).ints(1000, 4, 512).toArray();
        BatchLimits limits = new BatchLimits(4096, 16);
        long bucketed = padded(lengths, new LengthBucketPlanner(limits).plan(lengths));
        long arrival = 0;
        for (int from = 0; from < lengths.length; from += 8) {
            int[] batch = new int[Math.min(8, lengths.length - from)];
            Arrays.setAll(batch, k -> k);
            final int f = from;
            arrival += LengthBucketPlanner.paddedTokens(lengths, Arrays.stream(batch).map(k -> k + f).toArray());
        }
        long real = Arrays.stream(lengths).asLongStream().sum();
        double bucketedWaste = 1.0 - (double) real / bucketed;
        double arrivalWaste = 1.0 - (double) real / arrival;
        assertTrue(bucketedWaste < 0.05, "padding fraction with buckets " + bucketedWaste);
        assertTrue(arrivalWaste > 0.3, "padding fraction in arrival order " + arrivalWaste);
    }

    private static long padded(int[] lengths, List<int[]> plan) {
        return plan.stream().mapToLong(b -> LengthBucketPlanner.paddedTokens(lengths, b)).sum();
    }
}
