package dev.jdpo.trainer.engine;

/** Per-pair numbers gathered over a step's micro-batches, turned into {@link StepMetrics} at the end. */
final class StepStatistics {

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
    private long tokens;

    StepStatistics(double beta, int pairs) {
        this.beta = beta;
        chosenLogps = new double[pairs];
        rejectedLogps = new double[pairs];
        chosenRewards = new double[pairs];
        rejectedRewards = new double[pairs];
    }

    /** Records pair {@code index}: policy log-probs as the losses saw them and the matching reference values. */
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

    void addTokens(long count) {
        tokens += count;
    }

    long tokens() {
        return tokens;
    }

    StepResult finish(int step, double gradNorm, double learningRate, double epoch, long numTokens, double seconds) {
        int pairs = chosenLogps.length;
        double accuracy = 0;
        for (int i = 0; i < pairs; i++) {
            accuracy += chosenRewards[i] > rejectedRewards[i] ? 1 : 0;
        }
        double rewardsChosen = mean(chosenRewards);
        double rewardsRejected = mean(rejectedRewards);
        StepMetrics metrics = new StepMetrics(step, loss, gradNorm, learningRate, epoch, rewardsChosen,
                rewardsRejected, accuracy / pairs, rewardsChosen - rewardsRejected, mean(chosenLogps),
                mean(rejectedLogps), chosenLogitSum / Math.max(1, chosenTokens),
                rejectedLogitSum / Math.max(1, rejectedTokens), numTokens, pairs, tokens, seconds);
        return new StepResult(metrics, chosenRewards.clone(), rejectedRewards.clone(), chosenLogps.clone(),
                rejectedLogps.clone());
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}
