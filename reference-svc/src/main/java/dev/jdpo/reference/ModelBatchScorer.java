package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.util.ArrayList;
import java.util.List;

/** {@link SequenceBatchScorer} on a loaded {@link CausalLM}; forward passes are serialized (one model, one stream). */
public final class ModelBatchScorer implements SequenceBatchScorer {

    // Pad positions are masked out and never scored, so any id inside the vocabulary will do.
    private static final int PAD_ID = 0;
    /**
     * Attention reduces over the padded key length, and libtorch's CPU kernels switch to their vector path once that
     * length reaches the SIMD width (16 floats with AVX-512): a sequence scored in a batch shorter than this differs
     * in the last bit from the same sequence in a longer batch. Batches shorter than this get a filler row, so every
     * sequence goes through the same path and its numbers do not depend on its batch.
     */
    static final int MIN_PADDED_LENGTH = 16;
    private static final TokenSequence FILLER = new TokenSequence(new int[] {PAD_ID}, new int[MIN_PADDED_LENGTH - 1]);

    private final SequenceScorer scorer;
    private final int vocabSize;

    public ModelBatchScorer(CausalLM model) {
        this.scorer = new SequenceScorer(model, PAD_ID);
        this.vocabSize = model.config().vocabSize();
    }

    @Override
    public synchronized List<SequenceScore> scoreBatch(List<TokenSequence> batch, boolean perToken) {
        if (batch.stream().anyMatch(s -> s.length() >= MIN_PADDED_LENGTH)) {
            return scorer.score(batch, batch.size(), perToken);
        }
        List<TokenSequence> padded = new ArrayList<>(batch);
        padded.add(FILLER);
        return scorer.score(padded, padded.size(), perToken).subList(0, batch.size());
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }
}
