package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.transformer.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Batched no-grad scoring of completions. Sequences are batched by length to limit padding, and logits are
 * formed only for the batch's completion positions, a {@link LogitBudget} slice at a time, so no {@code [B, T, V]}
 * tensor is ever held.
 */
public final class SequenceScorer {

    private final CausalLM model;
    private final int padId;

    public SequenceScorer(CausalLM model, int padId) {
        this.model = model;
        this.padId = padId;
    }

    /**
     * Scores every sequence's completion; results are in input order and do not depend on batching.
     * Grad mode is switched off on the calling thread for the duration (libtorch grad mode is thread-local).
     */
    public List<SequenceScore> score(List<TokenSequence> sequences, int batchSize, boolean perToken) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        LogProbs.checkVocabulary(sequences, model.config().vocabSize());
        Integer[] order = new Integer[sequences.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> sequences.get(i).length()).reversed());
        SequenceScore[] scores = new SequenceScore[sequences.size()];
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scratch = model.manager().newSubManager()) {
            for (int start = 0; start < order.length; start += batchSize) {
                List<Integer> indices = Arrays.asList(order).subList(start, Math.min(order.length, start + batchSize));
                List<TokenSequence> group = new ArrayList<>();
                indices.forEach(i -> group.add(sequences.get(i)));
                List<SequenceScore> groupScores = scoreBatch(scratch, group, perToken);
                for (int j = 0; j < indices.size(); j++) {
                    scores[indices.get(j)] = groupScores.get(j);
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return List.of(scores);
    }

    private List<SequenceScore> scoreBatch(NDManager scratch, List<TokenSequence> group, boolean perToken) {
        Transformer transformer = model.transformer();
        // every completion position of the batch in one list (row-major), scored in budget-sized slices
        int[] firsts = new int[group.size()];
        int total = 0;
        for (int b = 0; b < group.size(); b++) {
            firsts[b] = Math.max(0, group.get(b).promptIds().length - 1);
            total += Math.max(0, group.get(b).length() - 1 - firsts[b]);
        }
        long[] positions = new long[total];
        long[] labels = new long[total];
        float[] tokenLogps = new float[total];
        try (PaddedBatch batch = PaddedBatch.of(scratch, group, padId);
             NDArray hidden = transformer.hiddenStates(batch.inputIds(), batch.attentionMask(), null)) {
            long width = hidden.getShape().get(1);
            int k = 0;
            for (int b = 0; b < group.size(); b++) {
                int[] ids = group.get(b).ids();
                for (int t = firsts[b]; t < ids.length - 1; t++, k++) {
                    positions[k] = b * width + t;
                    labels[k] = ids[t + 1];
                }
            }
            long perSlice = LogitBudget.positionsPerSlice(1, model.config().vocabSize());
            try (NDArray flat = hidden.reshape(-1, hidden.getShape().get(2))) {
                for (int from = 0; from < total; from += (int) perSlice) {
                    int to = (int) Math.min(total, from + perSlice);
                    scoreSlice(transformer, flat, positions, labels, from, to, tokenLogps);
                }
            }
        }
        List<SequenceScore> results = new ArrayList<>();
        int at = 0;
        for (int b = 0; b < group.size(); b++) {
            int count = Math.max(0, group.get(b).length() - 1 - firsts[b]);
            float[] tokens = Arrays.copyOfRange(tokenLogps, at, at + count);
            at += count;
            double sum = 0;
            for (float token : tokens) {
                sum += token;
            }
            results.add(new SequenceScore(sum, tokens.length, perToken ? tokens : null));
        }
        return results;
    }

    /** Log-probs of the labels at flat positions {@code from .. to-1} of {@code flat} ({@code [B*T, hidden]}). */
    private static void scoreSlice(Transformer transformer, NDArray flat, long[] positions, long[] labels, int from,
                                   int to, float[] out) {
        try (NDManager slice = flat.getManager().newSubManager()) {
            NDArray rows = slice.create(Arrays.copyOfRange(positions, from, to));
            NDArray states = flat.get(rows);
            states.attach(slice);
            NDArray logits = transformer.lmHead(states);
            NDArray index = slice.create(Arrays.copyOfRange(labels, from, to), new Shape(to - from, 1));
            float[] values = logits.logSoftmax(-1).gather(index, 1).toFloatArray();
            System.arraycopy(values, 0, out, from, values.length);
        }
    }
}
