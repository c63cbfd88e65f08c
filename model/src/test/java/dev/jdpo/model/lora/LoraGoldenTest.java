package dev.jdpo.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.logprob.CompletionLogProbs;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tiny-llama + the PEFT fixture adapter against lora-golden.json (float64 torch with PEFT's LoRA definition):
 * log-probs, and a sigmoid DPO loss whose gradient reaches only the adapter; then the merged model.
 */
class LoraGoldenTest {

    private static final List<TokenSequence> SEQUENCES = Fixtures.chosenThenRejected();
    private static final int PAIRS = SEQUENCES.size() / 2;

    @Test
    void scoringWithTheAdapterGivesPeftsLogProbs() throws Exception {
        JsonObject step = Fixtures.loraStep();
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(), LoadOptions.cpu())) {
            double[] logps = score(model);
            double[] chosen = Fixtures.doubles(step.getAsJsonArray("policy_chosen_logps"));
            double[] rejected = Fixtures.doubles(step.getAsJsonArray("policy_rejected_logps"));
            for (int i = 0; i < PAIRS; i++) {
                assertEquals(chosen[i], logps[i], 1e-4, "chosen " + i);
                assertEquals(rejected[i], logps[PAIRS + i], 1e-4, "rejected " + i);
            }
        }
    }

    @Test
    void dpoGradientReachesOnlyTheAdapterAndMatchesPeft() throws Exception {
        JsonObject step = Fixtures.loraStep();
        JsonObject dpoStep = Fixtures.golden("dpo_step");
        double[] refChosen = Fixtures.doubles(dpoStep.getAsJsonArray("ref_chosen_logps"));
        double[] refRejected = Fixtures.doubles(dpoStep.getAsJsonArray("ref_rejected_logps"));
        float[] refMargin = new float[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            refMargin[i] = (float) (refChosen[i] - refRejected[i]);
        }
        float beta = step.get("beta").getAsFloat();
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(),
                LoadOptions.trainableCpu()); NDManager manager = model.manager().newSubManager()) {
            LoraAdapter adapter = model.adapter().orElseThrow();
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                 PaddedBatch batch = PaddedBatch.of(manager, SEQUENCES, 0)) {
                CompletionLogProbs logps = LogProbs.compute(model, batch, false);
                NDArray chosen = logps.sequenceLogps().get(new NDIndex("0:{}", PAIRS));
                NDArray rejected = logps.sequenceLogps().get(new NDIndex("{}:", PAIRS));
                NDArray margin = chosen.sub(rejected).sub(manager.create(refMargin)).mul(beta);
                NDArray lossArray = margin.neg().exp().add(1f).log().mean();
                loss = lossArray.getFloat();
                collector.backward(lossArray);
            }
            double squares = 0;
            for (NDArray parameter : adapter.parameters().values()) {
                try (NDArray gradient = parameter.getGradient()) {
                    double sum = gradient.square().sum().getFloat();
                    assertTrue(sum > 0, "every A and B gets a gradient when both are non-zero");
                    squares += sum;
                }
            }
            for (NDArray weight : model.parameters().values()) {
                assertFalse(weight.hasGradient(), weight.getName() + " is frozen");
            }
            double expectedLoss = step.get("loss").getAsDouble();
            double expectedNorm = step.get("grad_norm").getAsDouble();
            assertEquals(expectedLoss, loss, 1e-4 * expectedLoss);
            assertEquals(expectedNorm, Math.sqrt(squares), 1e-4 * expectedNorm);
        }
    }

    @Test
    void mergedModelScoresAsBasePlusAdapter(@TempDir Path out) throws Exception {
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(), LoadOptions.cpu())) {
            double[] adapted = score(model);
            model.mergeAdapter();
            assertTrue(model.adapter().isEmpty());
            double[] merged = score(model);
            model.save(out, SaveOptions.defaults());
            double[] base = baseScores();
            try (CausalLM reloaded = CausalLM.load(out, LoadOptions.cpu())) {
                double[] saved = score(reloaded);
                for (int i = 0; i < adapted.length; i++) {
                    assertEquals(adapted[i], merged[i], 1e-5, "in memory, sequence " + i);
                    assertEquals(adapted[i], saved[i], 1e-5, "written and reloaded, sequence " + i);
                    assertTrue(Math.abs(adapted[i] - base[i]) > 1e-2, "the adapter changes sequence " + i);
                }
            }
        }
    }

    @Test
    void fp16RunsTheAdapterInHalfWithFp32Gradients() throws Exception {
        JsonObject step = Fixtures.loraStep();
        double[] golden = Fixtures.doubles(step.getAsJsonArray("policy_chosen_logps"));
        for (boolean trainable : new boolean[] {false, true}) {
            LoadOptions options = new LoadOptions(Device.cpu(), Precision.FP16, trainable);
            try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora(), options);
                 NDManager manager = model.manager().newSubManager()) {
                double[] logps = score(model);
                for (int i = 0; i < PAIRS; i++) {
                    assertEquals(golden[i], logps[i], 5e-2, "FP16 chosen " + i + ", trainable " + trainable);
                }
                if (trainable) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                         PaddedBatch batch = PaddedBatch.of(manager, SEQUENCES, 0)) {
                        collector.backward(LogProbs.compute(model, batch, false).sequenceLogps().sum());
                    }
                    for (NDArray parameter : model.adapter().orElseThrow().parameters().values()) {
                        try (NDArray gradient = parameter.getGradient()) {
                            assertEquals(DataType.FLOAT32, gradient.getDataType());
                            assertTrue(gradient.abs().sum().getFloat() > 0, parameter.getName());
                        }
                    }
                }
            }
        }
    }

    static double[] baseScores() throws Exception {
        try (CausalLM base = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            return score(base);
        }
    }

    static double[] score(CausalLM model) {
        List<SequenceScore> scores = new SequenceScorer(model, 0).score(SEQUENCES, 3, false);
        return scores.stream().mapToDouble(SequenceScore::logp).toArray();
    }
}
