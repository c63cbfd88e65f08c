package dev.jdpo.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every loss against its formula, worked out here in plain doubles from fixed log-probs. */
class LossFormulaTest {

    private static final double BETA = 0.5;
    private static final double EPS = 0.1;
    private static final double GAMMA = 0.3;
    private static final double TAU = 0.05;

    private static final double[] CHOSEN = {-12.5, -30.25, -8.0, -3.0};
    private static final double[] REJECTED = {-14.0, -29.0, -20.5, -1.5};
    private static final double[] REF_CHOSEN = {-13.0, -31.0, -9.5, -3.25};
    private static final double[] REF_REJECTED = {-13.5, -28.0, -19.0, -2.0};
    private static final double[] CHOSEN_LEN = {5, 12, 3, 7};
    private static final double[] REJECTED_LEN = {6, 10, 9, 2};

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static PairLogps logps() {
        return new PairLogps(array(CHOSEN), array(REJECTED), array(CHOSEN), array(REF_CHOSEN), array(REF_REJECTED),
                array(CHOSEN_LEN), array(REJECTED_LEN));
    }

    private static NDArray array(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return manager.create(floats);
    }

    private static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double rc(int i) {
        return CHOSEN[i] - REF_CHOSEN[i];
    }

    private static double rr(int i) {
        return REJECTED[i] - REF_REJECTED[i];
    }

    private static double delta(int i) {
        return rc(i) - rr(i);
    }

    private static void assertPerPair(IntToDoubleFunction expected, NDArray actual) {
        float[] values = actual.toFloatArray();
        assertEquals(CHOSEN.length, values.length);
        for (int i = 0; i < values.length; i++) {
            double want = expected.applyAsDouble(i);
            assertEquals(want, values[i], 2e-6 * Math.max(1, Math.abs(want)), "pair " + i);
        }
    }

    private static TrainingConfig config(String loss) {
        return TrainingConfig.builder().lossTypes(List.of(loss)).beta(BETA).labelSmoothing(EPS).simpoGamma(GAMMA)
                .discopopTau(TAU).build();
    }

    private static LossTerms terms(String loss) {
        return LossFactory.create(LossType.parse(loss), config(loss)).compute(logps());
    }

    @Test
    void sigmoidWithLabelSmoothingIsConservativeDpo() {
        assertPerPair(i -> -(1 - EPS) * logSigmoid(BETA * delta(i)) - EPS * logSigmoid(-BETA * delta(i)),
                terms("sigmoid").perPair());
    }

    @Test
    void sigmoidWithoutSmoothingIsDpo() {
        NDArray actual = new SigmoidLoss(BETA, 0).compute(logps()).perPair();
        assertPerPair(i -> -logSigmoid(BETA * delta(i)), actual);
    }

    @Test
    void hinge() {
        assertPerPair(i -> Math.max(0, 1 - BETA * delta(i)), terms("hinge").perPair());
    }

    @Test
    void ipoNormalisesByLength() {
        assertPerPair(i -> Math.pow(rc(i) / CHOSEN_LEN[i] - rr(i) / REJECTED_LEN[i] - 1 / (2 * BETA), 2),
                terms("ipo").perPair());
    }

    @Test
    void exoPair() {
        assertPerPair(i -> {
            double x = BETA * delta(i);
            return sigmoid(x) * (logSigmoid(x) - Math.log(1 - EPS)) + sigmoid(-x) * (logSigmoid(-x) - Math.log(EPS));
        }, terms("exo_pair").perPair());
    }

    @Test
    void ncaPair() {
        assertPerPair(i -> -logSigmoid(BETA * rc(i)) - 0.5 * logSigmoid(-BETA * rc(i))
                - 0.5 * logSigmoid(-BETA * rr(i)), terms("nca_pair").perPair());
    }

    @Test
    void robust() {
        assertPerPair(i -> (-(1 - EPS) * logSigmoid(BETA * delta(i)) + EPS * logSigmoid(-BETA * delta(i)))
                / (1 - 2 * EPS), terms("robust").perPair());
    }

    @Test
    void bcoPair() {
        assertPerPair(i -> -logSigmoid(BETA * rc(i)) - logSigmoid(-BETA * rr(i)), terms("bco_pair").perPair());
    }

    @Test
    void sppoHard() {
        assertPerPair(i -> Math.pow(rc(i) - 1 / (2 * BETA), 2) + Math.pow(rr(i) + 1 / (2 * BETA), 2),
                terms("sppo_hard").perPair());
    }

    @Test
    void aotSortsPolicyAndReferenceMargins() {
        double[] policy = new double[CHOSEN.length];
        double[] reference = new double[CHOSEN.length];
        for (int i = 0; i < CHOSEN.length; i++) {
            policy[i] = CHOSEN[i] - REJECTED[i];
            reference[i] = REF_CHOSEN[i] - REF_REJECTED[i];
        }
        Arrays.sort(policy);
        Arrays.sort(reference);
        assertPerPair(i -> smoothed(BETA * (policy[i] - reference[i])), terms("aot").perPair());
    }

    @Test
    void aotUnpairedSortsChosenAndRejectedLogratios() {
        double[] chosen = new double[CHOSEN.length];
        double[] rejected = new double[CHOSEN.length];
        for (int i = 0; i < CHOSEN.length; i++) {
            chosen[i] = rc(i);
            rejected[i] = rr(i);
        }
        Arrays.sort(chosen);
        Arrays.sort(rejected);
        assertPerPair(i -> smoothed(BETA * (chosen[i] - rejected[i])), terms("aot_unpaired").perPair());
    }

    @Test
    void aotGradientFlowsBackThroughTheSort() {
        NDArray chosen = array(CHOSEN);
        chosen.setRequiresGradient(true);
        PairLogps inputs = new PairLogps(chosen, array(REJECTED), chosen, array(REF_CHOSEN), array(REF_REJECTED),
                array(CHOSEN_LEN), array(REJECTED_LEN));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(LossFactory.create(LossType.AOT, config("aot")).compute(inputs).perPair().sum());
        }
        float[] gradient = chosen.getGradient().toFloatArray();
        for (int i = 0; i < gradient.length; i++) {
            assertTrue(gradient[i] < 0, "d loss / d chosen logp of pair " + i + " is " + gradient[i]);
        }
    }

    private static double smoothed(double x) {
        return -(1 - EPS) * logSigmoid(x) - EPS * logSigmoid(-x);
    }

    @Test
    void apoZero() {
        assertPerPair(i -> (1 - sigmoid(BETA * rc(i))) + sigmoid(BETA * rr(i)), terms("apo_zero").perPair());
    }

    @Test
    void apoDown() {
        assertPerPair(i -> sigmoid(BETA * rc(i)) + (1 - sigmoid(BETA * delta(i))), terms("apo_down").perPair());
    }

    @Test
    void discopop() {
        assertPerPair(i -> {
            double x = BETA * delta(i);
            double m = sigmoid(x / TAU);
            return (1 - m) * -logSigmoid(x) + m * Math.exp(-x);
        }, terms("discopop").perPair());
    }

    @Test
    void sigmoidNorm() {
        assertPerPair(i -> -logSigmoid(BETA * (rc(i) / CHOSEN_LEN[i] - rr(i) / REJECTED_LEN[i])),
                terms("sigmoid_norm").perPair());
    }

    @Test
    void sftIsChosenNll() {
        LossTerms terms = terms("sft");
        assertEquals(null, terms.perPair());
        assertPerPair(i -> -CHOSEN[i], terms.chosenNll());
    }

    @Test
    void simpoUsesAveragesAndMargin() {
        assertPerPair(i -> {
            double x = BETA * (CHOSEN[i] / CHOSEN_LEN[i] - REJECTED[i] / REJECTED_LEN[i]) - GAMMA;
            return -(1 - EPS) * logSigmoid(x) - EPS * logSigmoid(-x);
        }, terms("simpo").perPair());
    }

    @Test
    void orpoIsNllPlusLogOddsRatio() {
        LossTerms terms = terms("orpo");
        assertPerPair(i -> {
            double ac = CHOSEN[i] / CHOSEN_LEN[i];
            double ar = REJECTED[i] / REJECTED_LEN[i];
            double logOdds = (ac - Math.log1p(-Math.exp(ac))) - (ar - Math.log1p(-Math.exp(ar)));
            return -BETA * logSigmoid(logOdds);
        }, terms.perPair());
        assertPerPair(i -> -CHOSEN[i], terms.chosenNll());
    }

    @Test
    void combinedLossWeightsAndNormalisesPairAndTokenTerms() {
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft"))
                .lossWeights(List.of(1.0, 0.25)).beta(BETA).build();
        double tokens = 0;
        double nll = 0;
        double dpo = 0;
        for (int i = 0; i < CHOSEN.length; i++) {
            tokens += CHOSEN_LEN[i];
            nll -= CHOSEN[i];
            dpo -= logSigmoid(BETA * delta(i));
        }
        double expected = dpo / CHOSEN.length + 0.25 * nll / tokens;
        NDArray loss = CombinedLoss.from(config).microBatchLoss(logps(), null,
                new StepNormalizer(CHOSEN.length, (long) tokens));
        assertEquals(expected, loss.getFloat(), 1e-6 * expected);
    }

    @Test
    void pairWeightsMultiplyEachPair() {
        double[] weights = {0.5, 1.0, 0.25, 2.0};
        double expected = 0;
        for (int i = 0; i < CHOSEN.length; i++) {
            expected -= weights[i] * logSigmoid(BETA * delta(i));
        }
        expected /= CHOSEN.length;
        TrainingConfig config = TrainingConfig.builder().beta(BETA).build();
        NDArray loss = CombinedLoss.from(config).microBatchLoss(logps(), array(weights),
                new StepNormalizer(CHOSEN.length, 27));
        assertEquals(expected, loss.getFloat(), 1e-6 * expected);
    }

    @Test
    void microBatchesAddUpToTheWholeBatch() {
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft", "ipo"))
                .lossWeights(List.of(1.0, 0.5, 0.1)).beta(BETA).build();
        CombinedLoss loss = CombinedLoss.from(config);
        StepNormalizer step = new StepNormalizer(CHOSEN.length, 27);
        double whole = loss.microBatchLoss(logps(), null, step).getFloat();
        double parts = loss.microBatchLoss(slice(0, 1), null, step).getFloat()
                + loss.microBatchLoss(slice(1, 4), null, step).getFloat();
        assertEquals(whole, parts, 1e-6 * Math.abs(whole));
    }

    private static PairLogps slice(int from, int to) {
        PairLogps all = logps();
        return new PairLogps(all.chosen().get(from + ":" + to), all.rejected().get(from + ":" + to),
                all.chosenTokenSum().get(from + ":" + to), all.refChosen().get(from + ":" + to),
                all.refRejected().get(from + ":" + to), all.chosenLengths().get(from + ":" + to),
                all.rejectedLengths().get(from + ":" + to));
    }

    @Test
    void policyEqualToReferenceGivesLn2() {
        PairLogps same = new PairLogps(array(CHOSEN), array(REJECTED), array(CHOSEN), array(CHOSEN),
                array(REJECTED), array(CHOSEN_LEN), array(REJECTED_LEN));
        NDArray loss = CombinedLoss.from(TrainingConfig.builder().build())
                .microBatchLoss(same, null, new StepNormalizer(CHOSEN.length, 27));
        assertEquals(Math.log(2), loss.getFloat(), 1e-6);
    }
}
