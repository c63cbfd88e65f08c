package dev.jdpo.orchestrator.server;

import dev.jdpo.orchestrator.config.AllowedRoots;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.DatabaseSettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator's settings under {@code jdpo.*} (application.yml, -D properties, or env such as
 * JDPO_STATE_DIR).
 *
 * @param stateDir          where the H2 run-state database lives; default ~/.jdpo/state
 * @param referenceCacheDir where reference log-probs are cached across runs; default {stateDir}/reference-cache
 * @param databaseUrl       a JDBC URL (e.g. jdbc:postgresql://db/jdpo) instead of the H2 file
 * @param allowedRoots      directories runs may read and write; default the working directory and home
 * @param maxConcurrentRuns runs that train at the same time
 * @param cancelWait        how long CancelRun waits for a run to reach its step boundary
 * @param shutdownWait      how long shutdown waits for runs to pause at a step boundary
 * @param recoverRuns       whether start-up resumes the runs an earlier process left unfinished; {@code jdpo train}
 *                          turns it off, since its process follows one run of its own
 */
@ConfigurationProperties("jdpo")
public record OrchestratorSettings(
        @Nullable Path stateDir,
        @Nullable Path referenceCacheDir,
        @Nullable String databaseUrl,
        @Nullable String databaseUser,
        @Nullable String databasePassword,
        @Nullable List<Path> allowedRoots,
        @Bindable(defaultValue = "1") int maxConcurrentRuns,
        @Bindable(defaultValue = "60s") Duration cancelWait,
        @Bindable(defaultValue = "30s") Duration shutdownWait,
        @Bindable(defaultValue = "true") boolean recoverRuns) {

    public DatabaseSettings database() {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            return new DatabaseSettings(databaseUrl, databaseUser == null ? "" : databaseUser,
                    databasePassword == null ? "" : databasePassword);
        }
        return DatabaseSettings.h2File(stateDirOrDefault());
    }

    public Path referenceCache() {
        return referenceCacheDir != null ? referenceCacheDir : stateDirOrDefault().resolve("reference-cache");
    }

    /** Where streaming runs keep their tokenized pairs: {stateDir}/run-data. */
    public Path runData() {
        return stateDirOrDefault().resolve("run-data");
    }

    Path stateDirOrDefault() {
        return stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".jdpo", "state");
    }

    public AllowedRoots roots() {
        return allowedRoots == null || allowedRoots.isEmpty() ? AllowedRoots.defaults() : new AllowedRoots(allowedRoots);
    }

    public RunManager.Settings runSettings() {
        return new RunManager.Settings(maxConcurrentRuns, cancelWait, shutdownWait);
    }
}
