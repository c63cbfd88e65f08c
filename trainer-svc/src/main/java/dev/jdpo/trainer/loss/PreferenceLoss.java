package dev.jdpo.trainer.loss;

/** One selectable loss term; implementations are records holding their hyperparameters. */
public sealed interface PreferenceLoss
        permits SigmoidLoss, HingeLoss, IpoLoss, ExoPairLoss, NcaPairLoss, RobustLoss, BcoPairLoss, SppoHardLoss,
                AotLoss, ApoZeroLoss, ApoDownLoss, DiscoPopLoss, SigmoidNormLoss, SftLoss, SimPoLoss, OrpoLoss {

    /** The micro-batch's numerators (see {@link LossTerms}). */
    LossTerms compute(PairLogps logps);
}
