package dev.jdpo.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/** Per-pair numbers of one evaluation, reduced as a training step reduces them (means over pairs and tokens). */
final class EvalStatistics {

    private final double beta;
    private final double[] chosenLogps;
    private final double[] rejectedLogps;
    private final double[] chosenRewards;
    private final double[] rejectedRewards;
    private double loss;
    private double chosenLogitSum;
    private double rejectedLogitSum;
    private double chosenTokens;
    private double rejectedTokens;

    EvalStatistics(double beta, int pairs) {
        this.beta = beta;
        chosenLogps = new double[pairs];
        rejectedLogps = new double[pairs];
        chosenRewards = new double[pairs];
        rejectedRewards = new double[pairs];
    }

    void addPair(int index, double chosen, double rejected, double refChosen, double refRejected) {
        chosenLogps[index] = chosen;
        rejectedLogps[index] = rejected;
        chosenRewards[index] = beta * (chosen - refChosen);
        rejectedRewards[index] = beta * (rejected - refRejected);
    }

    void addLogits(double chosenSum, double chosenCount, double rejectedSum, double rejectedCount) {
        chosenLogitSum += chosenSum;
        chosenTokens += chosenCount;
        rejectedLogitSum += rejectedSum;
        rejectedTokens += rejectedCount;
    }

    void addLoss(double microBatchLoss) {
        loss += microBatchLoss;
    }

    /** TRL's metric names behind {@code prefix}. */
    Map<String, Double> metrics(String prefix) {
        int pairs = chosenLogps.length;
        double accuracy = 0;
        for (int i = 0; i < pairs; i++) {
            accuracy += chosenRewards[i] > rejectedRewards[i] ? 1 : 0;
        }
        double rewardsChosen = mean(chosenRewards);
        double rewardsRejected = mean(rejectedRewards);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(prefix + "loss", loss);
        values.put(prefix + "rewards/chosen", rewardsChosen);
        values.put(prefix + "rewards/rejected", rewardsRejected);
        values.put(prefix + "rewards/accuracies", accuracy / pairs);
        values.put(prefix + "rewards/margins", rewardsChosen - rewardsRejected);
        values.put(prefix + "logps/chosen", mean(chosenLogps));
        values.put(prefix + "logps/rejected", mean(rejectedLogps));
        values.put(prefix + "logits/chosen", chosenLogitSum / Math.max(1, chosenTokens));
        values.put(prefix + "logits/rejected", rejectedLogitSum / Math.max(1, rejectedTokens));
        return values;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}
