package dev.jdpo.reference;

import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.TokenSequence;
import java.util.List;

/** One no-grad forward pass over a batch of sequences; the seam between the scheduling here and the model. */
public interface SequenceBatchScorer {

    /** Scores every sequence of {@code batch} in a single forward pass; results in batch order. */
    List<SequenceScore> scoreBatch(List<TokenSequence> batch, boolean perToken);

    /** Token ids must be below this. */
    int vocabSize();
}
