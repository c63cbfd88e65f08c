package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.over;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import dev.jdpo.trainer.config.TrainingConfig;
import java.util.ArrayList;
import java.util.List;

/** TRL's {@code loss_type} list: the weighted sum of the selected loss terms. */
public final class CombinedLoss {

    private final List<PreferenceLoss> losses;
    private final List<Double> weights;

    public CombinedLoss(List<PreferenceLoss> losses, List<Double> weights) {
        if (losses.isEmpty() || losses.size() != weights.size()) {
            throw new IllegalArgumentException("need one weight per loss, got " + losses.size() + " losses and "
                    + weights.size() + " weights");
        }
        this.losses = List.copyOf(losses);
        this.weights = List.copyOf(weights);
    }

    /** The losses and weights a config selects. */
    public static CombinedLoss from(TrainingConfig config) {
        List<PreferenceLoss> losses = new ArrayList<>();
        config.lossTypes().forEach(type -> losses.add(LossFactory.create(type, config)));
        return new CombinedLoss(losses, config.lossWeights());
    }

    /**
     * The scalar loss of one micro-batch; summed over a step's micro-batches it equals the step's loss.
     *
     * @param logps the micro-batch's log-probs
     * @param pairWeights [B] detached per-pair weights (WPO's w_c w_r), or null for 1
     * @param step sizes of the whole optimizer step
     */
    public NDArray microBatchLoss(PairLogps logps, NDArray pairWeights, StepNormalizer step) {
        NDArray total = null;
        for (int i = 0; i < losses.size(); i++) {
            LossTerms terms = losses.get(i).compute(logps);
            NDArray term = null;
            if (terms.perPair() != null) {
                term = over(weighted(terms.perPair(), pairWeights).sum(), step.pairs());
            }
            if (terms.chosenNll() != null) {
                NDArray nll = over(weighted(terms.chosenNll(), pairWeights).sum(), step.chosenTokens());
                term = term == null ? nll : term.add(nll);
            }
            NDArray scaled = times(term, weights.get(i));
            total = total == null ? scaled : total.add(scaled);
        }
        return total;
    }

    private static NDArray weighted(NDArray values, NDArray pairWeights) {
        return pairWeights == null ? values : values.mul(pairWeights);
    }
}
