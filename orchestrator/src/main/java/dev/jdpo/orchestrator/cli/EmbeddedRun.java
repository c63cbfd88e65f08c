package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.run.EventLog;
import dev.jdpo.orchestrator.run.RunLeases;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.run.RunNotFoundException;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.RunRepository;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run through an orchestrator embedded in this process (in-process channels, no ports), followed event by
 * event until it ends. The run is recorded in the same state a served orchestrator uses, so
 * {@code jdpo serve orchestrator} lists it later. A JVM shutdown (Ctrl-C), or a failure while following it,
 * cancels it at the next step boundary.
 */
final class EmbeddedRun {

    private static final int PAGE = 256;

    private EmbeddedRun() {
    }

    /**
     * Creates the run, hands every event to {@code events} in order, and returns the finished run.
     *
     * @param stateDir run-state directory, or null for the default (~/.jdpo/state)
     */
    static Run execute(RunConfig config, Path stateDir, PrintWriter err, Consumer<RunEvent> events)
            throws InvalidConfigException, PathNotAllowedException, InterruptedException {
        Map<String, Object> properties = new HashMap<>();
        // the allowed roots guard a server against remote callers; here the caller is the local user
        List<String> everywhere = new ArrayList<>();
        FileSystems.getDefault().getRootDirectories().forEach(root -> everywhere.add(root.toString()));
        properties.put("jdpo.allowed-roots", everywhere);
        if (stateDir != null) {
            properties.put("jdpo.state-dir", stateDir.toAbsolutePath().toString());
        }
        // this process follows its own run; runs another process left behind wait for a served orchestrator
        properties.put("jdpo.recover-runs", false);
        try (OrchestratorServer orchestrator = OrchestratorServer.start(properties, List.of(), false)) {
            noteUnfinished(orchestrator.context().getBean(RunRepository.class),
                    orchestrator.context().getBean(RunLeases.class), err);
            RunManager runs = orchestrator.runs();
            Run run = runs.create(config);
            Thread cancelOnInterrupt = new Thread(() -> cancelQuietly(runs, run.getId()), "jdpo-run-cancel");
            boolean followed = false;
            try {
                Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
                follow(runs.events(), run.getId(), events);
                followed = true;
            } finally {
                removeHook(cancelOnInterrupt);
                if (!followed) {
                    // closing would only pause the run, and a served orchestrator would later finish it unseen
                    cancelQuietly(runs, run.getId());
                }
            }
            return runs.get(run.getId());
        } catch (RunNotFoundException justCreated) {
            throw new IllegalStateException("the run vanished from the state database", justCreated);
        }
    }

    /** Runs that no process works on (those of another live process sharing the state are not unfinished). */
    private static void noteUnfinished(RunRepository repository, RunLeases leases, PrintWriter err) {
        List<String> unfinished = repository.withStatus(List.of(RunStatus.RUN_STATUS_VALIDATING_FILES,
                RunStatus.RUN_STATUS_QUEUED, RunStatus.RUN_STATUS_RUNNING)).stream().map(Run::getId)
                .filter(id -> !leases.heldElsewhere(id)).toList();
        if (!unfinished.isEmpty()) {
            err.println("jdpo: left unfinished by an earlier process: " + String.join(", ", unfinished)
                    + " (`jdpo serve orchestrator` on this state resumes them, and `jdpo cancel` then stops them)");
            err.flush();
        }
    }

    static boolean succeeded(Run run) {
        return run.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED;
    }

    /** Every event until the terminal one; appends wake the loop, a timeout guards against a lost wake-up. */
    private static void follow(EventLog log, String runId, Consumer<RunEvent> events) throws InterruptedException {
        Semaphore appended = new Semaphore(0);
        try (EventLog.Subscription subscription = log.subscribe(runId, appended::release)) {
            long cursor = 0;
            while (true) {
                List<RunEvent> page = log.readAfter(runId, cursor, PAGE);
                for (RunEvent event : page) {
                    events.accept(event);
                    cursor = event.getSequence();
                    if (event.hasStatusChange() && RunStatuses.isTerminal(event.getStatusChange().getStatus())) {
                        return;
                    }
                }
                if (page.isEmpty()) {
                    appended.tryAcquire(1, TimeUnit.SECONDS);
                    appended.drainPermits();
                }
            }
        }
    }

    private static void cancelQuietly(RunManager runs, String runId) {
        try {
            runs.cancel(runId);
        } catch (Exception alreadyOver) {
            // the run ended between the interrupt and the cancel: nothing to stop
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting and the hook is cancelling the run
        }
    }
}
