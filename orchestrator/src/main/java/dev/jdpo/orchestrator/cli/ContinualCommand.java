package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.RoundStatus;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code jdpo continual}: continual DPO jobs on a running orchestrator (ContinualService). */
@Command(name = "continual", mixinStandardHelpOptions = true,
        description = "Create, follow, list and cancel continual DPO jobs: rounds of DPO on a task's new preference "
                + "pairs, each promoted only if the held-out criteria do not get worse.",
        subcommands = {ContinualCreateCommand.class, ContinualWatchCommand.class, ContinualListCommand.class,
                ContinualCancelCommand.class})
final class ContinualCommand extends CommandGroup {

    /** "waiting", "in_round", "completed", ... */
    static String status(ContinualJobStatus status) {
        return status.name().substring("CONTINUAL_JOB_STATUS_".length()).toLowerCase(Locale.ROOT);
    }

    /** One line about a job: its id, status, rounds committed and the model the next round starts from. */
    static String describe(ContinualJob job) {
        long committed = job.getRoundsList().stream().filter(round -> round.getStatus()
                == RoundStatus.ROUND_STATUS_PROMOTED || round.getStatus() == RoundStatus.ROUND_STATUS_REJECTED).count();
        return "continual job " + job.getId() + " " + status(job.getStatus()) + ", " + committed + " rounds committed, "
                + "promoted model " + job.getPromotedModelDir();
    }
}
