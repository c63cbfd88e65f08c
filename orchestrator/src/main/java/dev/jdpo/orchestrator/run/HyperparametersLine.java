package dev.jdpo.orchestrator.run;

import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.TrainingConfig;
import java.util.Locale;

/**
 * The "Hyperparameters:" line of a run's events, saying what the run will really do: {@code max_steps} (and the
 * epochs it amounts to) when it overrides {@code n_epochs}, and the pairs per optimizer step when gradient
 * accumulation multiplies the batch size.
 */
final class HyperparametersLine {

    private HyperparametersLine() {
    }

    static String describe(ResolvedHyperparameters resolved, TrainingConfig training) {
        StringBuilder line = new StringBuilder("Hyperparameters: ");
        long pairsPerStep = (long) resolved.getBatchSize() * Math.max(1, training.getGradientAccumulationSteps());
        if (training.getMaxSteps() > 0) {
            long stepsPerEpoch = (resolved.getTrainingPairs() + pairsPerStep - 1) / pairsPerStep;
            line.append(String.format(Locale.ROOT, "max_steps=%d (%.2f epochs)", training.getMaxSteps(),
                    (double) training.getMaxSteps() / Math.max(1, stepsPerEpoch)));
        } else {
            line.append("n_epochs=").append(resolved.getNEpochs());
        }
        if (pairsPerStep == resolved.getBatchSize()) {
            line.append(" batch_size=").append(resolved.getBatchSize());
        } else {
            line.append(" pairs_per_step=").append(pairsPerStep).append(" (batch_size=")
                    .append(resolved.getBatchSize()).append(" x gradient_accumulation_steps=")
                    .append(training.getGradientAccumulationSteps()).append(')');
        }
        return line.append(String.format(Locale.ROOT, " learning_rate=%s (multiplier %s) beta=%s; %d training "
                        + "pairs, %d validation pairs, %d optimizer steps", resolved.getLearningRate(),
                resolved.getLearningRateMultiplier(), resolved.getBeta(), resolved.getTrainingPairs(),
                resolved.getValidationPairs(), resolved.getTotalSteps())).toString();
    }
}
