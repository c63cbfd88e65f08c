package dev.jdpo.trainer.engine;

import dev.jdpo.trainer.optim.LossScaler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-pair numbers gathered over a step's micro-batches (or an evaluation's batches), reduced to TRL's metrics:
 * means over pairs for rewards and log-probs, means over completion tokens for logits. An SFT run's are TRL's
 * SFTTrainer metrics: the loss and the mean token accuracy over completion tokens.
 */
public final class StepStatistics {

    private final double beta;
    private final boolean sft;
    private final double[] chosenLogps;
    private final double[] rejectedLogps;
    private final double[] chosenRewards;
    private final double[] rejectedRewards;
    private double loss;
    private double chosenLogitSum;
    private double rejectedLogitSum;
    private double chosenTokens;
    private double rejectedTokens;
    private long tokens;
    private double correctTokens;

    /** @param sft report SFT metrics (loss, mean_token_accuracy) rather than the preference ones */
    public StepStatistics(double beta, int pairs, boolean sft) {
        this.beta = beta;
        this.sft = sft;
        chosenLogps = new double[pairs];
        rejectedLogps = new double[pairs];
        chosenRewards = new double[pairs];
        rejectedRewards = new double[pairs];
    }

    /** Records pair {@code index}: policy log-probs as the losses saw them and the matching reference values. */
    public void addPair(int index, double chosen, double rejected, double refChosen, double refRejected) {
        chosenLogps[index] = chosen;
        rejectedLogps[index] = rejected;
        chosenRewards[index] = beta * (chosen - refChosen);
        rejectedRewards[index] = beta * (rejected - refRejected);
    }

    public void addLogits(double chosenSum, double chosenCount, double rejectedSum, double rejectedCount) {
        chosenLogitSum += chosenSum;
        chosenTokens += chosenCount;
        rejectedLogitSum += rejectedSum;
        rejectedTokens += rejectedCount;
    }

    /** Adds {@code correct} right argmax predictions among {@code count} completion tokens (SFT). */
    public void addTokenAccuracy(double correct, double count) {
        correctTokens += correct;
        chosenTokens += count;
    }

    public void addLoss(double microBatchLoss) {
        loss += microBatchLoss;
    }

    void addTokens(long count) {
        tokens += count;
    }

    long tokens() {
        return tokens;
    }

    StepResult finish(int step, double gradNorm, double learningRate, double epoch, long numTokens, double seconds,
                      LossScaler.State lossScaling) {
        Means m = means();
        StepMetrics metrics = new StepMetrics(step, loss, gradNorm, learningRate, epoch, m.rewardsChosen(),
                m.rewardsRejected(), m.accuracy(), m.rewardsChosen() - m.rewardsRejected(), m.logpsChosen(),
                m.logpsRejected(), m.logitsChosen(), m.logitsRejected(), numTokens, chosenLogps.length, tokens,
                seconds, sft, meanTokenAccuracy(), lossScaling);
        return new StepResult(metrics, chosenRewards.clone(), rejectedRewards.clone(), chosenLogps.clone(),
                rejectedLogps.clone());
    }

    /** The loss and TRL's reward, log-prob and logit metrics, each name behind {@code prefix} (e.g. "eval_"). */
    public Map<String, Double> metrics(String prefix) {
        Means m = means();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(prefix + "loss", loss);
        if (sft) {
            values.put(prefix + "mean_token_accuracy", meanTokenAccuracy());
            return values;
        }
        values.put(prefix + "rewards/chosen", m.rewardsChosen());
        values.put(prefix + "rewards/rejected", m.rewardsRejected());
        values.put(prefix + "rewards/accuracies", m.accuracy());
        values.put(prefix + "rewards/margins", m.rewardsChosen() - m.rewardsRejected());
        values.put(prefix + "logps/chosen", m.logpsChosen());
        values.put(prefix + "logps/rejected", m.logpsRejected());
        values.put(prefix + "logits/chosen", m.logitsChosen());
        values.put(prefix + "logits/rejected", m.logitsRejected());
        return values;
    }

    private Means means() {
        int pairs = chosenLogps.length;
        double accuracy = 0;
        for (int i = 0; i < pairs; i++) {
            accuracy += chosenRewards[i] > rejectedRewards[i] ? 1 : 0;
        }
        return new Means(mean(chosenRewards), mean(rejectedRewards), accuracy / pairs, mean(chosenLogps),
                mean(rejectedLogps), chosenLogitSum / Math.max(1, chosenTokens),
                rejectedLogitSum / Math.max(1, rejectedTokens));
    }

    private double meanTokenAccuracy() {
        return correctTokens / Math.max(1, chosenTokens);
    }

    private record Means(double rewardsChosen, double rewardsRejected, double accuracy, double logpsChosen,
                         double logpsRejected, double logitsChosen, double logitsRejected) { }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}
