package dev.jdpo.orchestrator.run;

import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.proto.v1.RunConfig;
import java.util.Optional;

/**
 * What actually trains: the seam between the run API and the pipeline (tokenize -> reference -> train).
 * {@link RunManager} calls these on its own worker threads; both may block for as long as the work takes.
 */
public interface RunExecutor {

    /**
     * Refuses, before the run is stored, a run that cannot continue the checkpoint its config resumes: one whose
     * training differs from the checkpoint's, or that would not train past a checkpoint that ended its run. An
     * executor that cannot tell accepts it (the default); its {@link #execute} then reports the mismatch.
     *
     * @param config the run's config with defaults applied and paths checked against the allowed roots
     * @throws InvalidConfigException naming the field to change
     */
    default void checkResume(RunConfig config) throws InvalidConfigException {
    }

    /**
     * Reads and checks the data files of a run and counts its pairs (the VALIDATING_FILES state).
     *
     * @param config the run's config with defaults applied and paths made absolute
     * @return the counts, or empty when {@link RunReporter#stopRequested()} turned true before the files were read
     * @throws RunFailure for data a user must fix (the run becomes FAILED with this message)
     * @throws InterruptedException when the orchestrator shuts down meanwhile (the next one validates again)
     */
    Optional<DataSummary> validateFiles(RunConfig config, RunReporter reporter) throws RunFailure, InterruptedException;

    /**
     * Trains the run from {@link RunStart#resumeFrom()} (or from scratch) to the end, reporting metrics and
     * checkpoints as it goes, and polls {@link RunReporter#stopRequested()} at every optimizer-step boundary.
     *
     * @return {@link RunOutcome.Completed} with the aligned model, or {@link RunOutcome.Stopped} after a stop
     *         request (with its last checkpoint registered)
     * @throws RunFailure for a failure with a user-facing cause; any other exception fails the run as internal
     */
    RunOutcome execute(RunStart start, RunReporter reporter) throws Exception;
}
