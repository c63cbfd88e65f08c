package dev.jdpo.orchestrator.continual;

import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.ContinualReference;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.config.TrainingDefaults;
import java.nio.file.Path;

/** The run config of one round: the job's template with the round's policy, reference, data and output. */
final class RoundConfig {

    /** The file a round writes its feedback pairs to, inside the round's output directory. */
    static final String FEEDBACK_PAIRS_FILE = "feedback-pairs.jsonl";
    private static final int MAX_NAME_CHARS = 128;

    private RoundConfig() {
    }

    /** Where round {@code number} writes: output_dir/round-N. */
    static Path outputDir(ContinualJobConfig config, int number) {
        return Path.of(config.getRunTemplate().getOutput().getOutputDir(), "round-" + number);
    }

    static Path feedbackPairsFile(ContinualJobConfig config, int number) {
        return outputDir(config, number).resolve(FEEDBACK_PAIRS_FILE);
    }

    /**
     * The run of round {@code number}, starting from {@code policy}. Its reference is the policy itself (the model
     * promoted before the round: iterative DPO) or the job's base model.
     */
    static RunConfig of(ContinualJob job, int number, String policy) {
        ContinualJobConfig config = job.getConfig();
        RunConfig.Builder run = config.getRunTemplate().toBuilder();
        String name = (config.getName().isEmpty() ? job.getId() : config.getName()) + " round " + number;
        run.setName(name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) : name);
        // a reference equal to the policy is left empty: the run then scores with the policy's starting weights
        String reference = reference(config, policy);
        run.getModelBuilder().setPolicy(policy).setReference(reference.equals(policy) ? "" : reference);
        if (ContinualJobValidator.feedback(config)) {
            run.getDataBuilder().setTrainingFile(feedbackPairsFile(config, number).toString()).setFormat("openai");
        } else {
            run.getDataBuilder().setSampledPairs(config.getPairs().getSampled());
        }
        run.getOutputBuilder().setOutputDir(outputDir(config, number).toString());
        // a round after a rejected one starts from the same model: another seed (shuffle, sampled pairs) is another try
        var training = config.getRunTemplate().getTraining();
        run.getTrainingBuilder().setSeed((training.hasSeed() ? training.getSeed() : TrainingDefaults.SEED) + number - 1);
        return run.build();
    }

    /** The reference of a round starting from {@code policy}: that model itself (iterative DPO), or the base model. */
    static String reference(ContinualJobConfig config, String policy) {
        return config.getReference() == ContinualReference.CONTINUAL_REFERENCE_ORIGINAL
                ? config.getRunTemplate().getModel().getPolicy() : policy;
    }

    /**
     * Round 1's run as the job's config describes it, for the run validator and the path checks before the job is
     * stored. Its feedback pairs do not exist yet; the gate's prompts file stands in for their file, so the checks
     * find an input there.
     */
    static RunConfig firstRoundProbe(ContinualJobConfig config) {
        RunConfig run = of(ContinualJob.newBuilder().setId("probe").setConfig(config).build(), 1,
                config.getRunTemplate().getModel().getPolicy());
        if (!run.getData().getTrainingFile().isEmpty()) {
            return run.toBuilder().setData(run.getData().toBuilder()
                    .setTrainingFile(config.getGate().getPromptsFile())).build();
        }
        return run;
    }
}
