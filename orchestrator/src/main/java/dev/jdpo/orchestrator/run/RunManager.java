package dev.jdpo.orchestrator.run;

import com.google.protobuf.Timestamp;
import dev.jdpo.host.DaemonThreads;
import dev.jdpo.orchestrator.config.AllowedRoots;
import dev.jdpo.orchestrator.config.ServiceAllowList;
import dev.jdpo.orchestrator.config.HyperparameterResolver;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.orchestrator.config.RunConfigValidator;
import dev.jdpo.orchestrator.report.RunReport;
import dev.jdpo.orchestrator.report.RunReportFile;
import dev.jdpo.orchestrator.state.CheckpointRepository;
import dev.jdpo.orchestrator.state.Page;
import dev.jdpo.orchestrator.state.RunRepository;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.orchestrator.tensorboard.TensorBoardLog;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunError;
import dev.jdpo.proto.v1.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of runs: accepts configs, validates files, queues, trains through the {@link RunExecutor},
 * cancels, and on start-up picks up the runs an earlier process left unfinished (resuming RUNNING ones from
 * their last checkpoint). Every state change is an event in the {@link EventLog}.
 */
public final class RunManager implements AutoCloseable {

    /** {@code maxConcurrentRuns} runs train at once; CancelRun waits up to {@code cancelWait} for the stop. */
    public record Settings(int maxConcurrentRuns, Duration cancelWait, Duration shutdownWait) {
        public Settings {
            if (maxConcurrentRuns < 1) {
                throw new IllegalArgumentException("jdpo.max-concurrent-runs must be >= 1, got " + maxConcurrentRuns);
            }
        }

        public static Settings defaults() {
            return new Settings(1, Duration.ofSeconds(60), Duration.ofSeconds(30));
        }
    }

    /** A run waiting for a training slot; {@code alreadyRunning} for one resumed after a restart (queued first). */
    private record PendingRun(String runId, RunConfig config, ResolvedHyperparameters hyperparameters,
                              Optional<Checkpoint> resumeFrom, boolean alreadyRunning, Timestamp createdAt) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);

    private final RunRepository runs;
    private final CheckpointRepository checkpoints;
    private final EventLog log;
    private final RunExecutor executor;
    private final AllowedRoots allowedRoots;
    private final ServiceAllowList services;
    private final Settings settings;
    private final Clock clock;
    private final RunConfigValidator validator = new RunConfigValidator();
    private final RunConfigDefaults defaults = new RunConfigDefaults();
    private final HyperparameterResolver resolver = new HyperparameterResolver();
    private final ExecutorService workers = Executors.newCachedThreadPool(DaemonThreads.named("jdpo-run-"));

    private final Object lock = new Object();
    // one create at a time, so two runs cannot both pass the output_dir checks before either is stored
    private final Object creating = new Object();
    private final Deque<PendingRun> queue = new ArrayDeque<>();
    private final Map<String, ActiveRun> validating = new HashMap<>();
    private final Map<String, ActiveRun> training = new HashMap<>();
    private boolean closing;
    private final RunLeases leases;

    public RunManager(RunRepository runs, CheckpointRepository checkpoints, EventLog log, RunExecutor executor,
                      AllowedRoots allowedRoots, ServiceAllowList services, Settings settings, Clock clock,
                      RunLeases leases) {
        this.leases = leases;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.log = log;
        this.executor = executor;
        this.allowedRoots = allowedRoots;
        this.services = services;
        this.settings = settings;
        this.clock = clock;
    }

    public EventLog events() {
        return log;
    }

    /** Runs validated and waiting for a training slot. */
    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Picks up the runs an earlier orchestrator process left unfinished; call once, before serving. */
    public void recover() {
        for (Run run : runs.withStatus(List.of(RunStatus.RUN_STATUS_RUNNING))) {
            if (!leases.acquire(run.getId())) {
                continue;
            }
            if (run.getCancelRequested()) {
                log.status(run.getId(), RunStatus.RUN_STATUS_CANCELLED, "Cancelled while the orchestrator was down");
                continue;
            }
            Optional<Checkpoint> last = checkpoints.latest(run.getId());
            log.message(run.getId(), EventLevel.EVENT_LEVEL_INFO, last
                    .map(c -> "Orchestrator restarted; resuming from the checkpoint at step " + c.getStep())
                    .orElse("Orchestrator restarted; no checkpoint yet, training again from the first step"));
            enqueue(new PendingRun(run.getId(), run.getConfig(), run.getHyperparameters(), last, true,
                    run.getCreatedAt()));
        }
        for (Run run : runs.withStatus(List.of(RunStatus.RUN_STATUS_QUEUED, RunStatus.RUN_STATUS_VALIDATING_FILES))) {
            if (!leases.acquire(run.getId())) {
                continue;
            }
            if (run.getCancelRequested()) {
                log.status(run.getId(), RunStatus.RUN_STATUS_CANCELLED, "Cancelled while the orchestrator was down");
            } else if (run.getStatus() == RunStatus.RUN_STATUS_QUEUED) {
                enqueue(new PendingRun(run.getId(), run.getConfig(), run.getHyperparameters(), Optional.empty(), false,
                        run.getCreatedAt()));
            } else {
                log.message(run.getId(), EventLevel.EVENT_LEVEL_INFO, "Orchestrator restarted; validating files again");
                startValidation(run.getId(), run.getConfig(), run.getCreatedAt());
            }
        }
    }

    /**
     * Stores a new run (VALIDATING_FILES) and starts validating its files in the background.
     *
     * @throws InvalidConfigException  naming every bad field
     * @throws PathNotAllowedException for a path outside the allowed roots
     */
    public Run create(RunConfig submitted) throws InvalidConfigException, PathNotAllowedException {
        validator.validate(submitted);
        services.check(submitted.getServices());
        RunConfig withDefaults = defaults.apply(submitted);
        synchronized (creating) {
            requireOutputDirFree(Path.of(withDefaults.getOutput().getOutputDir()).toAbsolutePath().normalize());
            RunConfig config = allowedRoots.checkPaths(withDefaults);
            executor.checkResume(config);
            String id = RunIds.next();
            leases.acquire(id);
            runs.insert(id, config.getName(), RunStatus.RUN_STATUS_VALIDATING_FILES, config, clock.millis());
            log.status(id, RunStatus.RUN_STATUS_VALIDATING_FILES, "Run created; validating the data files");
            Run created = runs.find(id).orElseThrow();
            startValidation(id, config, created.getCreatedAt());
            return created;
        }
    }

    /**
     * Refuses an output_dir that an unfinished run writes to, checked before the files on disk: a run that has not
     * written its first checkpoint yet leaves no trace there. A run left RUNNING by a process that died counts
     * too, since a served orchestrator resumes it into that directory.
     */
    private void requireOutputDirFree(Path outputDir) throws InvalidConfigException {
        for (Run run : runs.withStatus(List.of(RunStatus.RUN_STATUS_VALIDATING_FILES, RunStatus.RUN_STATUS_QUEUED,
                RunStatus.RUN_STATUS_RUNNING))) {
            if (Path.of(run.getConfig().getOutput().getOutputDir()).equals(outputDir)) {
                boolean here;
                synchronized (lock) {
                    here = validating.containsKey(run.getId()) || training.containsKey(run.getId())
                            || queue.stream().anyMatch(pending -> pending.runId().equals(run.getId()));
                }
                throw new InvalidConfigException("output.output_dir", outputDir + " is the output_dir of run "
                        + run.getId() + ", which is " + RunStatuses.shortName(run.getStatus()) + (here
                        ? "; wait for it, cancel it, or choose another output_dir"
                        : leases.heldElsewhere(run.getId())
                        ? " in another jdpo process on this state; wait for it, cancel it, or choose another output_dir"
                        : " but left unfinished by an earlier process; `jdpo serve orchestrator` on this state "
                        + "resumes it (and `jdpo cancel` then stops it), or choose another output_dir"));
            }
        }
    }

    public Run get(String id) throws RunNotFoundException {
        return runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
    }

    /** Newest first; {@code status} null means any. */
    public Page<Run> list(long beforeOrdinal, int limit, RunStatus status) {
        return runs.page(beforeOrdinal, limit, status);
    }

    public List<Checkpoint> checkpoints(String id) throws RunNotFoundException {
        get(id);
        return checkpoints.list(id);
    }

    /**
     * Cancels a run: at once when it has not started training, else at its next step boundary, waiting up
     * to {@link Settings#cancelWait()} for that.
     */
    public Run cancel(String id) throws RunNotFoundException, RunFinishedException {
        Run run = get(id);
        if (run.getStatus() == RunStatus.RUN_STATUS_CANCELLED) {
            return run;
        }
        if (RunStatuses.isTerminal(run.getStatus())) {
            throw new RunFinishedException("run " + id + " already " + RunStatuses.shortName(run.getStatus())
                    + "; there is nothing to cancel");
        }
        runs.markCancelRequested(id);
        ActiveRun trainingRun;
        synchronized (lock) {
            if (queue.removeIf(pending -> pending.runId().equals(id))) {
                leases.release(id);
            }
            ActiveRun validatingRun = validating.get(id);
            if (validatingRun != null) {
                validatingRun.requestCancel();
            }
            trainingRun = training.get(id);
            if (trainingRun != null) {
                trainingRun.requestCancel();
            }
        }
        if (trainingRun == null) {
            log.status(id, RunStatus.RUN_STATUS_CANCELLED, "Cancelled before training started");
        } else {
            log.message(id, EventLevel.EVENT_LEVEL_INFO, "Cancellation requested; stopping at the next step boundary");
            awaitQuietly(trainingRun.finished(), settings.cancelWait());
        }
        return get(id);
    }

    /**
     * Asks every active run to stop at its next step boundary and waits up to {@link Settings#shutdownWait()}.
     * Their status stays as it is, so the next orchestrator process resumes them.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        synchronized (lock) {
            closing = true;
            queue.clear();
            for (ActiveRun run : validating.values()) {
                run.requestShutdown();
                stopping.add(run.finished());
            }
            for (ActiveRun run : training.values()) {
                run.requestShutdown();
                stopping.add(run.finished());
            }
        }
        awaitQuietly(CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)), settings.shutdownWait());
        workers.shutdownNow();
        leases.close();
    }

    private void startValidation(String id, RunConfig config, Timestamp createdAt) {
        ActiveRun run = activeRun(id, config, createdAt, 0);
        synchronized (lock) {
            if (closing) {
                return;
            }
            validating.put(id, run);
        }
        workers.execute(() -> validate(run, config, createdAt));
    }

    private void validate(ActiveRun run, RunConfig config, Timestamp createdAt) {
        String id = run.runId();
        try {
            Optional<DataSummary> counted = executor.validateFiles(config, run);
            if (counted.isEmpty() || run.stopRequested()) {
                return;
            }
            DataSummary data = counted.get();
            ResolvedHyperparameters resolved = resolver.resolve(config, data.trainingPairs(), data.validationPairs());
            log.hyperparameters(id, resolved, config.getTraining());
            if (log.status(id, RunStatus.RUN_STATUS_QUEUED, "Files validated; waiting for a training slot") != null) {
                enqueue(new PendingRun(id, config, resolved, Optional.empty(), false, createdAt));
            }
        } catch (RunFailure failure) {
            fail(id, failure.code(), failure.getMessage(), failure.param());
        } catch (InterruptedException shuttingDown) {
            // the run stays VALIDATING_FILES, so the next orchestrator validates it again
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error unexpected) {
            LOG.error("validating the files of run {} failed", id, unexpected);
            fail(id, "internal", describe(unexpected), "");
        } finally {
            synchronized (lock) {
                validating.remove(id, run);
                releaseIfIdle(id);
            }
            closeTensorBoard(run);
            run.finished().complete(null);
        }
    }

    private void enqueue(PendingRun pending) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            queue.addLast(pending);
        }
        schedule();
    }

    private void schedule() {
        synchronized (lock) {
            while (!closing && training.size() < settings.maxConcurrentRuns() && !queue.isEmpty()) {
                PendingRun next = queue.pollFirst();
                ActiveRun run = activeRun(next.runId(), next.config(), next.createdAt(),
                        next.resumeFrom().map(Checkpoint::getStep).orElse(0L));
                training.put(next.runId(), run);
                workers.execute(() -> train(run, next));
            }
        }
    }

    private void train(ActiveRun run, PendingRun pending) {
        String id = run.runId();
        try {
            if (!pending.alreadyRunning()
                    && log.status(id, RunStatus.RUN_STATUS_RUNNING, "Training started") == null) {
                return;
            }
            RunOutcome outcome = executor.execute(
                    new RunStart(id, pending.config(), pending.hyperparameters(), pending.resumeFrom()), run);
            if (outcome instanceof RunOutcome.Completed completed) {
                log.succeeded(id, completed.modelDir());
            } else if (outcome instanceof RunOutcome.Stopped stopped) {
                if (run.cancelRequested()) {
                    log.status(id, RunStatus.RUN_STATUS_CANCELLED, "Cancelled at step " + stopped.step()
                            + "; its checkpoints are kept");
                } else {
                    log.message(id, EventLevel.EVENT_LEVEL_INFO, "Paused at step " + stopped.step()
                            + " by the orchestrator's shutdown; resumes from its last checkpoint on restart");
                }
            }
        } catch (RunFailure failure) {
            fail(id, failure.code(), failure.getMessage(), failure.param());
        } catch (Exception | Error unexpected) {
            if (run.shutdownRequested()) {
                LOG.warn("run {} was interrupted by the shutdown; it resumes from its last checkpoint on restart: {}",
                        id, describe(unexpected));
            } else {
                LOG.error("run {} failed", id, unexpected);
                fail(id, "internal", describe(unexpected), "");
            }
        } finally {
            closeTensorBoard(run);
            writeReport(id);
            // listed as training until its report is written, so close() waits for the page: an embedded run's
            // process closes the orchestrator as soon as it reads the terminal event, which interrupted the write
            synchronized (lock) {
                training.remove(id, run);
                releaseIfIdle(id);
            }
            run.finished().complete(null);
            schedule();
        }
    }

    /** A run that ended gets its report page in its output directory; a failed write costs only the page. */
    private void writeReport(String id) {
        try {
            Run ended = get(id);
            if (RunStatuses.isTerminal(ended.getStatus())) {
                RunReportFile.write(new RunReport(ended, RunReportFile.events(ended, log::readAfter)),
                        Path.of(ended.getConfig().getOutput().getOutputDir(), RunReportFile.NAME));
            }
        } catch (IOException | RunNotFoundException | RuntimeException failed) {
            LOG.warn("cannot write the report of run {}: {}", id, failed.getMessage());
        }
    }

    /** Lets another process resume the run once this one no longer validates, queues or trains it; under lock. */
    private void releaseIfIdle(String id) {
        if (!validating.containsKey(id) && !training.containsKey(id)
                && queue.stream().noneMatch(pending -> pending.runId().equals(id))) {
            leases.release(id);
        }
    }

    /** A run's reporter for this process; its TensorBoard file goes to the run's output_dir. */
    private ActiveRun activeRun(String id, RunConfig config, Timestamp createdAt, long resumedStep) {
        return new ActiveRun(id, log, new TensorBoardLog(Path.of(config.getOutput().getOutputDir()),
                Timestamps.toInstant(createdAt), resumedStep));
    }

    private static void closeTensorBoard(ActiveRun run) {
        try {
            run.closeTensorBoard();
        } catch (IOException | RuntimeException failed) {
            LOG.warn("cannot close the TensorBoard file of run {}: {}", run.runId(), failed.getMessage());
        }
    }

    private void fail(String id, String code, String message, String param) {
        try {
            log.failed(id, RunError.newBuilder().setCode(code).setMessage(message).setParam(param).build());
        } catch (RuntimeException cannotRecord) {
            LOG.error("cannot record the failure of run {}: {}", id, message, cannotRecord);
        }
    }

    /** A message for users: the exception's own text, never its stack trace. */
    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static void awaitQuietly(CompletableFuture<?> future, Duration wait) {
        try {
            future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException notYet) {
            LOG.debug("stopped waiting for a run after {}", wait);
        }
    }
}
