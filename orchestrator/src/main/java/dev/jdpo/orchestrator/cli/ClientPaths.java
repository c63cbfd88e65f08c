package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Path;

/** Makes a config's paths absolute against the CLI's working directory, where the user wrote them from. */
final class ClientPaths {

    private ClientPaths() {
    }

    static RunConfig absolute(RunConfig config) {
        RunConfig.Builder b = config.toBuilder();
        b.getModelBuilder().setPolicy(absolute(config.getModel().getPolicy()))
                .setReference(absolute(config.getModel().getReference()));
        b.getDataBuilder().setTrainingFile(absolute(config.getData().getTrainingFile()))
                .setValidationFile(absolute(config.getData().getValidationFile()));
        b.getOutputBuilder().setOutputDir(absolute(config.getOutput().getOutputDir()))
                .setResumeFromCheckpoint(absolute(config.getOutput().getResumeFromCheckpoint()));
        if (config.getData().hasSampledPairs()) {
            var sampled = b.getDataBuilder().getSampledPairsBuilder();
            sampled.setPromptsFile(absolute(sampled.getPromptsFile()))
                    .setCriteriaFile(absolute(sampled.getCriteriaFile()));
        }
        if (config.getTraining().hasLora()) {
            b.getTrainingBuilder().getLoraBuilder().setAdapter(absolute(config.getTraining().getLora().getAdapter()));
        }
        return b.build();
    }

    static String absolute(String path) {
        return path.isBlank() ? path : Path.of(path).toAbsolutePath().normalize().toString();
    }
}
