package dev.jdpo.orchestrator.config;

import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.trainer.config.TrainingDefaults;

/**
 * Resolves OpenAI-style "auto" hyperparameters once the training pairs are counted; the rule is the
 * one written in config.proto (message Hyperparameters).
 */
public final class HyperparameterResolver {

    /** n_epochs auto: {@link TrainingDefaults#EPOCHS} passes, unless that sees fewer than 100 or over 25,000 pairs. */
    static final int MIN_PAIRS_SEEN = 100;
    static final int MAX_PAIRS_SEEN = 25_000;
    static final int MAX_AUTO_EPOCHS = 25;
    /** batch_size auto: one pair per 100 in the data, between 1 and {@link TrainingDefaults#BATCH_SIZE}. */
    static final int PAIRS_PER_AUTO_BATCH_UNIT = 100;

    /**
     * @param config           a config after {@link RunConfigDefaults}
     * @param trainingPairs    pairs in the training set after the validation split, >= 1
     * @param validationPairs  pairs in the validation set
     */
    public ResolvedHyperparameters resolve(RunConfig config, long trainingPairs, long validationPairs) {
        if (trainingPairs < 1) {
            throw new IllegalArgumentException("cannot resolve hyperparameters for an empty training set");
        }
        TrainingConfig t = config.getTraining();
        Hyperparameters h = config.getHyperparameters();
        int epochs = t.hasEpochs() ? t.getEpochs()
                : h.getNEpochs().hasValue() ? h.getNEpochs().getValue() : autoEpochs(trainingPairs);
        int batchSize = t.hasBatchSize() ? t.getBatchSize()
                : h.getBatchSize().hasValue() ? h.getBatchSize().getValue() : autoBatchSize(trainingPairs);
        double multiplier = h.getLearningRateMultiplier().hasValue() ? h.getLearningRateMultiplier().getValue() : 1.0;
        double beta = t.hasBeta() ? t.getBeta()
                : h.getBeta().hasValue() ? h.getBeta().getValue() : TrainingDefaults.BETA;
        double baseRate = t.hasLearningRate() ? t.getLearningRate() : TrainingDefaults.LEARNING_RATE;
        return ResolvedHyperparameters.newBuilder()
                .setNEpochs(epochs)
                .setBatchSize(batchSize)
                .setLearningRateMultiplier(multiplier)
                .setBeta(beta)
                .setLearningRate(baseRate * multiplier)
                .setTrainingPairs(trainingPairs)
                .setValidationPairs(validationPairs)
                .setTotalSteps(totalSteps(trainingPairs, epochs, batchSize,
                        Math.max(1, t.getGradientAccumulationSteps()), t.getMaxSteps()))
                .build();
    }

    static int autoEpochs(long pairs) {
        if (pairs * TrainingDefaults.EPOCHS < MIN_PAIRS_SEEN) {
            return (int) Math.min(MAX_AUTO_EPOCHS, ceilDiv(MIN_PAIRS_SEEN, pairs));
        }
        if (pairs * TrainingDefaults.EPOCHS > MAX_PAIRS_SEEN) {
            return (int) Math.max(1, MAX_PAIRS_SEEN / pairs);
        }
        return TrainingDefaults.EPOCHS;
    }

    static int autoBatchSize(long pairs) {
        return (int) Math.min(TrainingDefaults.BATCH_SIZE, Math.max(1, pairs / PAIRS_PER_AUTO_BATCH_UNIT));
    }

    /** Optimizer steps: ceil(ceil(pairs / batch) / accumulation) per epoch, or max_steps when > 0. */
    public static long totalSteps(long pairs, int epochs, int batchSize, int accumulation, long maxSteps) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        return epochs * ceilDiv(ceilDiv(pairs, batchSize), accumulation);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
