package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
 * formed only for completion positions, a slice at a time, so no {@code [B, T, V]} tensor is ever held.
 */
public final class SequenceScorer {

    /** Upper bound on logits materialised at once (floats): 64 MiB. */
    private static final long LOGIT_CHUNK_ELEMENTS = 1L << 24;

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
        List<SequenceScore> results = new ArrayList<>();
        try (PaddedBatch batch = PaddedBatch.of(scratch, group, padId);
             NDArray hidden = transformer.hiddenStates(batch.inputIds(), batch.attentionMask(), null)) {
            long positionsPerChunk = Math.max(1, LOGIT_CHUNK_ELEMENTS / model.config().vocabSize());
            for (int b = 0; b < group.size(); b++) {
                TokenSequence sequence = group.get(b);
                int[] ids = sequence.ids();
                int first = Math.max(0, sequence.promptIds().length - 1);
                int last = ids.length - 1;
                float[] tokens = new float[Math.max(0, last - first)];
                for (int from = first; from < last; from += (int) positionsPerChunk) {
                    int to = (int) Math.min(last, from + positionsPerChunk);
                    scoreSlice(transformer, hidden, b, ids, from, to, tokens, from - first);
                }
                double sum = 0;
                for (float token : tokens) {
                    sum += token;
                }
                results.add(new SequenceScore(sum, tokens.length, perToken ? tokens : null));
            }
        }
        return results;
    }

    /** Log-probs of tokens {@code from+1 .. to} of row {@code row}, written to {@code out} at {@code at}. */
    private static void scoreSlice(Transformer transformer, NDArray hidden, int row, int[] ids, int from, int to,
                                   float[] out, int at) {
        long[] labels = new long[to - from];
        for (int t = from; t < to; t++) {
            labels[t - from] = ids[t + 1];
        }
        try (NDManager slice = hidden.getManager().newSubManager()) {
            NDArray states = hidden.get(new NDIndex("{}, {}:{}", row, from, to));
            states.attach(slice);
            NDArray logits = transformer.lmHead(states);
            NDArray index = slice.create(labels, new Shape(labels.length, 1));
            float[] values = logits.logSoftmax(-1).gather(index, 1).toFloatArray();
            System.arraycopy(values, 0, out, at, values.length);
        }
    }
}
