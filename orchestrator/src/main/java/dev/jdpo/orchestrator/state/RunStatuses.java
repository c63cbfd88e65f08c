package dev.jdpo.orchestrator.state;

import dev.jdpo.proto.v1.RunStatus;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Run status helpers: terminal states and the short names stored in the database and printed by the CLI. */
public final class RunStatuses {

    private static final String PREFIX = "RUN_STATUS_";
    private static final Set<RunStatus> TERMINAL =
            EnumSet.of(RunStatus.RUN_STATUS_SUCCEEDED, RunStatus.RUN_STATUS_FAILED, RunStatus.RUN_STATUS_CANCELLED);

    private RunStatuses() {
    }

    public static boolean isTerminal(RunStatus status) {
        return TERMINAL.contains(status);
    }

    /** {@code RUN_STATUS_VALIDATING_FILES} -> {@code "validating_files"}. */
    public static String shortName(RunStatus status) {
        return status.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromShortName(String name) {
        return RunStatus.valueOf(PREFIX + name.toUpperCase(Locale.ROOT));
    }
}
