package dev.jdpo.trainer.grpc;

import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TrainPair;
import dev.jdpo.trainer.data.ReferenceScores;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;

/** {@code TrainPair} messages to and from the engine's {@link TrainingPair}. */
public final class ProtoPairs {

    private ProtoPairs() { }

    /** The pair with its reference sums and, when sent, per-token reference log-probs. */
    public static TrainingPair toTrainingPair(TrainPair message) {
        ScoredPair scored = message.getScored();
        boolean perToken = message.getChosenRefTokenLogpsCount() > 0 && message.getRejectedRefTokenLogpsCount() > 0;
        ReferenceScores reference = scored.hasReference()
                ? new ReferenceScores(scored.getReference().getChosenLogp(), scored.getReference().getRejectedLogp(),
                        perToken ? floats(message.getChosenRefTokenLogpsList()) : null,
                        perToken ? floats(message.getRejectedRefTokenLogpsList()) : null)
                : null;
        TokenizedPair pair = scored.getPair();
        return new TrainingPair(PairTokens.of(pair.getPromptIdsList(), pair.getChosenIdsList(),
                pair.getRejectedIdsList()), reference);
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
        ReferenceScores reference = pair.reference();
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

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
