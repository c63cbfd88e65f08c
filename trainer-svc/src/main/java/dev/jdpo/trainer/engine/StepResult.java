package dev.jdpo.trainer.engine;

/**
 * One optimizer step's metrics and its per-pair numbers, in the order the pairs were given.
 *
 * @param metrics the step's aggregate metrics
 * @param chosenRewards beta x (policy - reference) log-prob of each chosen completion
 * @param rejectedRewards the same for the rejected completions
 * @param chosenLogps policy log-prob of each chosen completion, before the update
 * @param rejectedLogps the same for the rejected completions
 */
public record StepResult(StepMetrics metrics, double[] chosenRewards, double[] rejectedRewards, double[] chosenLogps,
                         double[] rejectedLogps) { }
