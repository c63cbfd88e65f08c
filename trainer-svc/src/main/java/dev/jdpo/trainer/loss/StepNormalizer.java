package dev.jdpo.trainer.loss;

/**
 * Sizes of a whole optimizer step, which every micro-batch divides by so that accumulated micro-batches add up
 * to the loss of one large batch (scaling by pairs-in-micro-batch over pairs-in-step, not by 1/N).
 *
 * @param pairs pairs in the optimizer step
 * @param chosenTokens chosen completion tokens in the optimizer step (for token-mean NLL terms)
 */
public record StepNormalizer(int pairs, long chosenTokens) {

    public StepNormalizer {
        if (pairs <= 0 || chosenTokens <= 0) {
            throw new IllegalArgumentException("a step needs pairs and chosen tokens, got " + pairs + " pairs and "
                    + chosenTokens + " tokens");
        }
    }
}
