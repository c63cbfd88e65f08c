package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import java.nio.file.Path;

/** Jobs for the tiny policy fixture. */
final class TrainJobs {

    private TrainJobs() { }

    static TrainJob.Builder job(String runId, Path outputDir, TrainingConfig config) {
        return TrainJob.newBuilder()
                .setRunId(runId)
                .setPolicyPath(Fixtures.policyDir().toString())
                .setOutputDir(outputDir.toString())
                .setHyperparameters(ProtoHyperparameters.toProto(config))
                .setPadId(Fixtures.PAD_ID)
                .setDevice("cpu");
    }
}
