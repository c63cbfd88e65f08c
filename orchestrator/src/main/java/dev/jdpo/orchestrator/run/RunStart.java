package dev.jdpo.orchestrator.run;

import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import java.util.Optional;

/**
 * Everything an executor needs to start or resume a run.
 *
 * @param config          defaults applied, paths absolute
 * @param hyperparameters "auto" resolved
 * @param resumeFrom      the checkpoint to continue from after a restart; empty for a fresh start
 */
public record RunStart(String runId, RunConfig config, ResolvedHyperparameters hyperparameters,
                       Optional<Checkpoint> resumeFrom) {
}
