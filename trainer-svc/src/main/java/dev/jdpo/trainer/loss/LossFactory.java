package dev.jdpo.trainer.loss;

import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.TrainingConfig;

/** Builds the loss record for a {@link LossType} from the run's hyperparameters. */
public final class LossFactory {

    private LossFactory() { }

    public static PreferenceLoss create(LossType type, TrainingConfig config) {
        double beta = config.beta();
        double eps = config.labelSmoothing();
        return switch (type) {
            case SIGMOID -> new SigmoidLoss(beta, eps);
            case HINGE -> new HingeLoss(beta);
            case IPO -> new IpoLoss(beta);
            case EXO_PAIR -> new ExoPairLoss(beta, eps);
            case NCA_PAIR -> new NcaPairLoss(beta);
            case ROBUST -> new RobustLoss(beta, eps);
            case BCO_PAIR -> new BcoPairLoss(beta);
            case SPPO_HARD -> new SppoHardLoss(beta);
            case AOT -> new AotLoss(beta, eps, true);
            case AOT_UNPAIRED -> new AotLoss(beta, eps, false);
            case APO_ZERO -> new ApoZeroLoss(beta);
            case APO_DOWN -> new ApoDownLoss(beta);
            case DISCOPOP -> new DiscoPopLoss(beta, config.discopopTau());
            case SIGMOID_NORM -> new SigmoidNormLoss(beta);
            case SFT -> new SftLoss();
            case SIMPO -> new SimPoLoss(beta, config.simpoGamma(), eps);
            case ORPO -> new OrpoLoss(beta);
        };
    }
}
