package dev.jdpo.orchestrator.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.ReferenceScores;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.loss.CombinedLoss;
import dev.jdpo.trainer.loss.PairLogps;
import dev.jdpo.trainer.loss.StepNormalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores the held-out pairs with the current policy (no gradients) and reports TRL's eval metrics: the
 * configured loss over all validation pairs as one batch, and the implicit rewards, accuracies, margins and
 * log-probs, each with the {@code eval_} prefix. WPO pair weights are not applied to the eval loss.
 */
final class Evaluator {

    private final TrainingConfig config;
    private final List<TrainingPair> pairs;
    private final int padId;
    private final int batchSize;

    Evaluator(TrainingConfig config, List<TrainingPair> pairs, int padId, int batchSize) {
        this.config = config;
        this.pairs = List.copyOf(pairs);
        this.padId = padId;
        this.batchSize = batchSize;
    }

    Map<String, Double> evaluate(CausalLM policy) {
        boolean lengthDesensitized = config.ldAlpha() != null;
        List<TokenSequence> sequences = new ArrayList<>(2 * pairs.size());
        pairs.forEach(pair -> sequences.add(pair.chosen()));
        pairs.forEach(pair -> sequences.add(pair.rejected()));
        List<SequenceScore> scores = new SequenceScorer(policy, padId).score(sequences, batchSize, lengthDesensitized);
        int n = pairs.size();
        float[] chosen = new float[n];
        float[] rejected = new float[n];
        float[] chosenSum = new float[n];
        float[] refChosen = new float[n];
        float[] refRejected = new float[n];
        float[] chosenLengths = new float[n];
        float[] rejectedLengths = new float[n];
        boolean withReference = pairs.get(0).reference() != null;
        long chosenTokens = 0;
        for (int i = 0; i < n; i++) {
            TrainingPair pair = pairs.get(i);
            SequenceScore c = scores.get(i);
            SequenceScore r = scores.get(n + i);
            int shared = Math.min(c.tokens(), r.tokens());
            chosen[i] = (float) (lengthDesensitized ? weighted(c.tokenLogps(), shared) : c.logp());
            rejected[i] = (float) (lengthDesensitized ? weighted(r.tokenLogps(), shared) : r.logp());
            chosenSum[i] = (float) c.logp();
            chosenLengths[i] = c.tokens();
            rejectedLengths[i] = r.tokens();
            chosenTokens += c.tokens();
            if (withReference) {
                ReferenceScores ref = pair.reference();
                refChosen[i] = (float) (lengthDesensitized ? weighted(ref.chosenTokenLogps(), shared) : ref.chosenLogp());
                refRejected[i] = (float) (lengthDesensitized ? weighted(ref.rejectedTokenLogps(), shared)
                        : ref.rejectedLogp());
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NDManager manager = policy.manager().newSubManager()) {
            PairLogps logps = new PairLogps(manager.create(chosen), manager.create(rejected), manager.create(chosenSum),
                    withReference ? manager.create(refChosen) : null, withReference ? manager.create(refRejected) : null,
                    manager.create(chosenLengths), manager.create(rejectedLengths));
            NDArray loss = CombinedLoss.from(config).microBatchLoss(logps, null,
                    new StepNormalizer(n, Math.max(1, chosenTokens)));
            metrics.put("eval_loss", (double) loss.getFloat());
        }
        if (withReference) {
            double rewardChosen = 0;
            double rewardRejected = 0;
            double correct = 0;
            for (int i = 0; i < n; i++) {
                double rc = config.beta() * (chosen[i] - refChosen[i]);
                double rr = config.beta() * (rejected[i] - refRejected[i]);
                rewardChosen += rc;
                rewardRejected += rr;
                correct += rc > rr ? 1 : 0;
            }
            metrics.put("eval_rewards/chosen", rewardChosen / n);
            metrics.put("eval_rewards/rejected", rewardRejected / n);
            metrics.put("eval_rewards/accuracies", correct / n);
            metrics.put("eval_rewards/margins", (rewardChosen - rewardRejected) / n);
        }
        metrics.put("eval_logps/chosen", mean(chosen));
        metrics.put("eval_logps/rejected", mean(rejected));
        return metrics;
    }

    /** LD-DPO: tokens up to the shared length count fully, the rest with weight ld_alpha. */
    private double weighted(float[] tokenLogps, int shared) {
        double sum = 0;
        for (int t = 0; t < tokenLogps.length; t++) {
            sum += t < shared ? tokenLogps[t] : config.ldAlpha() * tokenLogps[t];
        }
        return sum;
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
