package dev.jdpo.trainer.loss;

/**
 * Token-mean negative log-likelihood of the chosen completions, the NLL term of RPO (Pang et al.,
 * arXiv:2404.19733; sigmoid + sft) and MPO. Needs no reference model.
 */
public record SftLoss() implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        return LossTerms.tokenNll(logps.chosenTokenSum().neg());
    }
}
