package dev.jdpo.trainer.data;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores every pair's completions with a frozen reference model, uncached, for the engine's own tests and
 * benchmarks. Runs score through reference-svc instead, whose scorer caches, batches by length and scales out.
 */
public final class ReferencePrecompute {

    private ReferencePrecompute() { }

    /**
     * The pairs with reference log-probs attached.
     *
     * @param perToken also keep per-token log-probs (needed by LD-DPO)
     */
    public static List<TrainingPair> attach(CausalLM reference, int padId, List<TrainingPair> pairs, int batchSize,
                                            boolean perToken) {
        List<TokenSequence> sequences = new ArrayList<>(2 * pairs.size());
        pairs.forEach(pair -> sequences.add(pair.chosen()));
        pairs.forEach(pair -> sequences.add(pair.rejected()));
        List<SequenceScore> scores = new SequenceScorer(reference, padId).score(sequences, batchSize, perToken);
        List<TrainingPair> scored = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            SequenceScore chosen = scores.get(i);
            SequenceScore rejected = scores.get(pairs.size() + i);
            scored.add(pairs.get(i).withReference(new ReferenceScores(chosen.logp(), rejected.logp(),
                    chosen.tokenLogps(), rejected.tokenLogps())));
        }
        return scored;
    }
}
