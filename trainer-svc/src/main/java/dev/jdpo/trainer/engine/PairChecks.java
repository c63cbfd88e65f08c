package dev.jdpo.trainer.engine;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;

/** Refuses pairs the configured losses cannot train on, naming the pair and the missing piece. */
public final class PairChecks {

    private PairChecks() { }

    /**
     * @param vocabSize the policy's vocabulary size; every token id must be below it
     * @param firstIndex dataset index of {@code pairs.get(0)}, for messages
     */
    public static void check(List<TrainingPair> pairs, TrainingConfig config, int vocabSize, int firstIndex) {
        for (int i = 0; i < pairs.size(); i++) {
            check(pairs.get(i), config, vocabSize, firstIndex + i);
        }
    }

    private static void check(TrainingPair pair, TrainingConfig config, int vocabSize, int index) {
        pair.tokens().firstIdOutside(vocabSize).ifPresent(bad -> {
            throw new InvalidConfigException("data", "pair " + index + " has " + bad.side() + " token id " + bad.id()
                    + " outside the policy's vocabulary [0, " + vocabSize + ")");
        });
        int chosenTokens = pair.tokens().chosen().scoredTokens();
        if (config.sft()) {
            // SFT trains on the chosen completion alone; a preference pair's rejected one is ignored
            if (chosenTokens == 0) {
                throw new InvalidConfigException("data", "pair " + index + " has an empty completion");
            }
            return;
        }
        int rejectedTokens = pair.tokens().rejected().scoredTokens();
        if (chosenTokens == 0 || rejectedTokens == 0) {
            throw new InvalidConfigException("data", "pair " + index + " has an empty "
                    + (chosenTokens == 0 ? "chosen" : "rejected") + " completion");
        }
        if (!config.needsReference()) {
            return;
        }
        PairLogProbs reference = pair.reference();
        if (reference == null) {
            throw new InvalidConfigException("reference", "pair " + index + " has no reference log-probs, which loss_type "
                    + config.lossTypes() + " needs");
        }
        if (!Double.isFinite(reference.chosenLogp()) || !Double.isFinite(reference.rejectedLogp())) {
            throw new InvalidConfigException("reference", "pair " + index + " has non-finite reference log-probs ("
                    + reference.chosenLogp() + ", " + reference.rejectedLogp() + ")");
        }
        if (config.ldAlpha() == null) {
            return;
        }
        if (!reference.hasTokenLogps()) {
            throw new InvalidConfigException("ld_alpha", "LD-DPO weights the reference per token, but pair " + index
                    + " carries only reference sums (chosen_logp/rejected_logp); score the reference with per-token "
                    + "log-probs or unset ld_alpha");
        }
        if (reference.chosenTokenLogps().length != chosenTokens
                || reference.rejectedTokenLogps().length != rejectedTokens) {
            throw new InvalidConfigException("reference", "pair " + index + ": per-token reference log-probs cover "
                    + reference.chosenTokenLogps().length + "/" + reference.rejectedTokenLogps().length
                    + " tokens but the completions have " + chosenTokens + "/" + rejectedTokens);
        }
    }
}
