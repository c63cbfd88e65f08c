package dev.jdpo.trainer.grpc;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TrainPair;
import dev.jdpo.trainer.data.TrainingPair;

/** {@code TrainPair} messages to and from the engine's {@link TrainingPair}. */
public final class ProtoPairs {

    private ProtoPairs() { }

    /** The pair with its reference sums and, when sent, per-token reference log-probs. */
    public static TrainingPair toTrainingPair(TrainPair message) {
        ScoredPair scored = message.getScored();
        TokenizedPair pair = scored.getPair();
        PairTokens tokens = PairTokens.of(pair.getPromptIdsList(), pair.getChosenIdsList(), pair.getRejectedIdsList());
        return new TrainingPair(tokens, scored.hasReference() ? reference(message, tokens) : null);
    }

    /**
     * The message carries no token counts: they are the per-token lists' lengths when both are sent (PairChecks
     * holds those against the pair), else the pair's scored completion tokens.
     */
    private static PairLogProbs reference(TrainPair message, PairTokens tokens) {
        ReferenceLogProbs sums = message.getScored().getReference();
        if (message.getChosenRefTokenLogpsCount() == 0 || message.getRejectedRefTokenLogpsCount() == 0) {
            return new PairLogProbs(sums.getChosenLogp(), sums.getRejectedLogp(), tokens.chosen().scoredTokens(),
                    tokens.rejected().scoredTokens(), null, null);
        }
        return PairLogProbs.of(sums.getChosenLogp(), sums.getRejectedLogp(), message.getChosenRefTokenLogpsCount(),
                message.getRejectedRefTokenLogpsCount(), message.getChosenRefTokenLogpsList(),
                message.getRejectedRefTokenLogpsList());
    }

    /** The message for {@code pair}; {@code index} becomes {@code scored.pair.index}. */
    public static TrainPair toProto(TrainingPair pair, long index) {
        TokenizedPair.Builder tokens = TokenizedPair.newBuilder().setIndex(index);
        for (int id : pair.tokens().promptIds()) {
            tokens.addPromptIds(id);
        }
        for (int id : pair.tokens().chosenIds()) {
            tokens.addChosenIds(id);
        }
        for (int id : pair.tokens().rejectedIds()) {
            tokens.addRejectedIds(id);
        }
        ScoredPair.Builder scored = ScoredPair.newBuilder().setPair(tokens);
        TrainPair.Builder message = TrainPair.newBuilder();
        PairLogProbs reference = pair.reference();
        if (reference != null) {
            scored.setReference(ReferenceLogProbs.newBuilder().setChosenLogp(reference.chosenLogp())
                    .setRejectedLogp(reference.rejectedLogp()));
            if (reference.hasTokenLogps()) {
                for (float logp : reference.chosenTokenLogps()) {
                    message.addChosenRefTokenLogps(logp);
                }
                for (float logp : reference.rejectedTokenLogps()) {
                    message.addRejectedRefTokenLogps(logp);
                }
            }
        }
        return message.setScored(scored).build();
    }
}
