package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.util.List;

/** {@link SequenceBatchScorer} on a loaded {@link CausalLM}; forward passes are serialized (one model, one stream). */
public final class ModelBatchScorer implements SequenceBatchScorer {

    // Pad positions are masked out and never scored, so any id inside the vocabulary will do.
    private static final int PAD_ID = 0;

    private final SequenceScorer scorer;
    private final int vocabSize;

    public ModelBatchScorer(CausalLM model) {
        this.scorer = new SequenceScorer(model, PAD_ID);
        this.vocabSize = model.config().vocabSize();
    }

    @Override
    public synchronized List<SequenceScore> scoreBatch(List<TokenSequence> batch, boolean perToken) {
        return scorer.score(batch, batch.size(), perToken);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }
}
