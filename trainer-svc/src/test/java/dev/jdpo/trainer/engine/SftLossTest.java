package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.GradientCollector;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.config.TrainingMethod;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.eval.Evaluator;
import dev.jdpo.trainer.loss.StepNormalizer;
import dev.jdpo.trainer.optim.NoGrad;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Method sft: the loss and its gradient come from the completion positions only. The reference numbers are the
 * model's per-position log-probs of the whole sequence (scored as a one-token prompt and a long completion),
 * of which only the positions after the prompt may count.
 */
class SftLossTest {

    private static final int[] SEQUENCE = {17, 250, 3, 99, 401, 12, 77, 305, 2};

    private static TrainingConfig sft() {
        return TrainingConfig.builder().method(TrainingMethod.SFT).lossTypes(List.of("sft")).batchSize(1).build();
    }

    private static TrainingPair split(int promptLength) {
        return new TrainingPair(new PairTokens(Arrays.copyOf(SEQUENCE, promptLength),
                Arrays.copyOfRange(SEQUENCE, promptLength, SEQUENCE.length), new int[0]), null);
    }

    /** log p(token t | tokens before t) for t = 1 .. n-1, from one forward pass over the whole sequence. */
    private static float[] positionLogps(CausalLM policy) {
        try (NDManager manager = policy.manager().newSubManager(); NoGrad noGrad = NoGrad.enter()) {
            PaddedBatch batch = PaddedBatch.of(manager, List.of(whole()), Fixtures.PAD_ID);
            return LogProbs.compute(policy, batch, false).tokenLogps().toFloatArray();
        }
    }

    private static TokenSequence whole() {
        return new TokenSequence(new int[] {SEQUENCE[0]}, Arrays.copyOfRange(SEQUENCE, 1, SEQUENCE.length));
    }

    @Test
    void theLossIsTheMeanNllOfTheCompletionPositionsAlone() throws Exception {
        try (CausalLM policy = Fixtures.trainablePolicy()) {
            float[] logps = positionLogps(policy);
            for (int prompt : new int[] {2, 5, 7}) {
                double expected = 0;
                for (int t = prompt; t < SEQUENCE.length; t++) {
                    expected -= logps[t - 1];
                }
                expected /= SEQUENCE.length - prompt;
                Map<String, Double> values = new Evaluator(policy, sft(), Fixtures.PAD_ID, List.of(split(prompt)), 1)
                        .evaluate(0, 0).values();
                assertEquals(expected, values.get("eval_loss"), 1e-5, "prompt of " + prompt + " tokens");
            }
        }
    }

    @Test
    void meanTokenAccuracyCountsTheCompletionTokensTheArgmaxPredicts() throws Exception {
        try (CausalLM policy = Fixtures.trainablePolicy(); NDManager manager = policy.manager().newSubManager();
             NoGrad noGrad = NoGrad.enter()) {
            PaddedBatch batch = PaddedBatch.of(manager, List.of(whole()), Fixtures.PAD_ID);
            long[] predicted = policy.forward(batch.inputIds(), batch.attentionMask()).get(new NDIndex("0"))
                    .argMax(-1).toLongArray();
            int prompt = 3;
            int right = 0;
            for (int t = prompt; t < SEQUENCE.length; t++) {
                right += predicted[t - 1] == SEQUENCE[t] ? 1 : 0;
            }
            Map<String, Double> values = new Evaluator(policy, sft(), Fixtures.PAD_ID, List.of(split(prompt)), 1)
                    .evaluate(0, 0).values();
            assertEquals((double) right / (SEQUENCE.length - prompt), values.get("eval_mean_token_accuracy"), 1e-9);
        }
    }

    @Test
    void theGradientComesFromTheCompletionPositionsOnly() throws Exception {
        int prompt = 5;
        try (CausalLM policy = Fixtures.trainablePolicy()) {
            PairForward forward = new PairForward(policy, sft(), Fixtures.PAD_ID);
            float[] sftGradient = gradient(policy, manager -> forward.run(manager, List.of(split(prompt)),
                    new StepNormalizer(1, SEQUENCE.length - prompt)).loss());
            float[] completionOnly = gradient(policy, manager -> meanNll(policy, manager, prompt - 1));
            float[] everyPosition = gradient(policy, manager -> meanNll(policy, manager, 0));
            double scale = maxDifference(sftGradient, new float[sftGradient.length]);
            assertTrue(maxDifference(sftGradient, completionOnly) < 1e-5 * scale,
                    "SFT gradient = gradient of the completion positions' mean NLL: differ by "
                            + maxDifference(sftGradient, completionOnly) + " at scale " + scale + " vs all "
                            + maxDifference(sftGradient, everyPosition));
            assertTrue(maxDifference(sftGradient, everyPosition) > 1e-4,
                    "the prompt positions would change the gradient if they counted");
        }
    }

    /**
     * Mean NLL over the whole sequence's positions from {@code first} to its end (position t scores token t + 1;
     * the batch may be padded past the sequence).
     */
    private static NDArray meanNll(CausalLM policy, NDManager manager, int first) {
        PaddedBatch batch = PaddedBatch.of(manager, List.of(whole()), Fixtures.PAD_ID);
        NDArray logps = LogProbs.compute(policy, batch, false).tokenLogps()
                .get(new NDIndex("0, " + first + ":" + (SEQUENCE.length - 1)));
        return logps.sum().neg().div((float) logps.size());
    }

    private interface Loss {
        NDArray of(NDManager manager);
    }

    /** The gradient of {@code loss} with respect to every trainable weight, flattened in a fixed order. */
    private static float[] gradient(CausalLM policy, Loss loss) {
        Map<String, NDArray> parameters = new TreeMap<>(policy.trainableParameters());
        try (NDManager manager = policy.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(loss.of(manager));
            }
            int size = parameters.values().stream().mapToInt(p -> (int) p.size()).sum();
            float[] all = new float[size];
            int offset = 0;
            for (NDArray parameter : parameters.values()) {
                float[] grad = JniUtils.getGradient((PtNDArray) parameter).toFloatArray();
                System.arraycopy(grad, 0, all, offset, grad.length);
                offset += grad.length;
                JniUtils.zeroGrad((PtNDArray) parameter);
            }
            return all;
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
