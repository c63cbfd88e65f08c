package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.orchestrator.run.EventLog;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo run}: one run in this process through an embedded orchestrator (no ports), with a live progress
 * bar. The run is recorded in the same state as a served orchestrator's, so {@code jdpo serve orchestrator}
 * can list it later; Ctrl-C cancels it at the next step boundary, keeping its checkpoints.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run DPO in this process from a YAML/JSON config, with a live progress bar.")
final class RunCommand implements Callable<Integer> {

    private static final int PAGE = 256;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Run config, YAML or JSON (see examples/).")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "Override a config field, e.g. --set training.beta=0.2 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Run-state directory (default ~/.jdpo/state).")
    Path stateDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunConfigReader reader = new RunConfigReader();
        RunConfig request = ClientPaths.absolute(config == null ? reader.fromOverrides(overrides)
                : reader.read(config, overrides));
        Map<String, Object> properties = new HashMap<>();
        // the allowed roots guard a server against remote callers; here the caller is the local user
        List<String> everywhere = new ArrayList<>();
        FileSystems.getDefault().getRootDirectories().forEach(root -> everywhere.add(root.toString()));
        properties.put("jdpo.allowed-roots", everywhere);
        if (stateDir != null) {
            properties.put("jdpo.state-dir", stateDir.toAbsolutePath().toString());
        }
        try (OrchestratorServer orchestrator = OrchestratorServer.start(properties, List.of(), false)) {
            RunManager runs = orchestrator.runs();
            Run run = runs.create(request);
            Thread cancelOnInterrupt = new Thread(() -> cancelQuietly(runs, run.getId()), "jdpo-run-cancel");
            Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
            try {
                follow(runs.events(), run.getId(), new ProgressView(spec.commandLine().getOut(), System.console() != null));
            } finally {
                Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
            }
            Run done = runs.get(run.getId());
            return done.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED ? 0 : 1;
        }
    }

    /** Shows every event until the terminal one; appends wake the loop, a timeout guards against a lost wake-up. */
    private static void follow(EventLog log, String runId, ProgressView view) throws InterruptedException {
        Semaphore appended = new Semaphore(0);
        try (EventLog.Subscription subscription = log.subscribe(runId, appended::release)) {
            long cursor = 0;
            while (true) {
                List<RunEvent> events = log.readAfter(runId, cursor, PAGE);
                for (RunEvent event : events) {
                    view.show(event);
                    cursor = event.getSequence();
                    if (event.hasStatusChange() && RunStatuses.isTerminal(event.getStatusChange().getStatus())) {
                        return;
                    }
                }
                if (events.isEmpty()) {
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
}
