package dev.jdpo.orchestrator.continual;

import dev.jdpo.orchestrator.state.ContinualRepository;
import dev.jdpo.orchestrator.state.ContinualRepository.Changed;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualRound;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.RoundStatus;
import dev.jdpo.proto.v1.RunError;
import java.time.Clock;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The state changes of a job, each one stored with the event that records it (one transaction each). */
final class JobEvents {

    private final ContinualRepository jobs;
    private final Clock clock;

    JobEvents(ContinualRepository jobs, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
    }

    long now() {
        return clock.millis();
    }

    static boolean terminal(ContinualJobStatus status) {
        return status == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED
                || status == ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED
                || status == ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED;
    }

    /**
     * Starts the next round with its feedback window [from, now), unless the job stopped waiting meanwhile (a
     * cancel).
     */
    Optional<ContinualJob> startRound(String id, long windowFrom) {
        long now = now();
        return change(id, job -> {
            if (job.getStatus() != ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING || job.getCancelRequested()) {
                return null;
            }
            int number = job.getRoundsCount() + 1;
            ContinualRound round = ContinualRound.newBuilder().setNumber(number)
                    .setStatus(RoundStatus.ROUND_STATUS_COLLECTING_PAIRS)
                    .setPolicyModelDir(job.getPromotedModelDir())
                    .setReferenceModelDir(RoundConfig.reference(job.getConfig(), job.getPromotedModelDir()))
                    .setStartedAt(Timestamps.ofMillis(now))
                    .setPairsRecordedFrom(Timestamps.ofMillis(windowFrom))
                    .setPairsRecordedBefore(Timestamps.ofMillis(now)).build();
            return new Changed(job.toBuilder().setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND)
                    .addRounds(round).build(),
                    roundEvent(round, "Round " + number + " started from " + job.getPromotedModelDir()));
        });
    }

    /** Changes the job's last round (and, through {@code job}, the job) and records the round as an event. */
    Optional<ContinualJob> round(String id, UnaryOperator<ContinualRound> change, UnaryOperator<ContinualJob> job,
                                 String message) {
        return change(id, current -> {
            int last = current.getRoundsCount() - 1;
            ContinualRound round = change.apply(current.getRounds(last));
            ContinualJob changed = job.apply(current.toBuilder().setRounds(last, round).build());
            ContinualEvent.Builder event = roundEvent(round, message);
            if (round.getStatus() == RoundStatus.ROUND_STATUS_REJECTED
                    || round.getStatus() == RoundStatus.ROUND_STATUS_FAILED) {
                event.setLevel(EventLevel.EVENT_LEVEL_WARN);
            }
            return new Changed(changed, event);
        });
    }

    /** Moves the job to a new status; {@code error} only for FAILED. Terminal jobs stay as they are. */
    Optional<ContinualJob> status(String id, ContinualJobStatus status, String message, RunError error) {
        return status(id, status, message, error, UnaryOperator.identity());
    }

    /**
     * Ends the round in progress as failed (its pairs stay unconsumed) and moves the job to {@code status}, in one
     * change, so no restart sees one without the other.
     */
    Optional<ContinualJob> endInRound(String id, String reason, ContinualJobStatus status, String message,
                                      RunError error) {
        long now = now();
        return status(id, status, message, error, job -> {
            int last = job.getRoundsCount() - 1;
            return last < 0 ? job : job.toBuilder().setRounds(last, job.getRounds(last).toBuilder()
                    .setStatus(RoundStatus.ROUND_STATUS_FAILED).setReason(reason)
                    .setFinishedAt(Timestamps.ofMillis(now))).build();
        });
    }

    private Optional<ContinualJob> status(String id, ContinualJobStatus status, String message, RunError error,
                                          UnaryOperator<ContinualJob> alsoChange) {
        long now = now();
        return change(id, job -> {
            if (terminal(job.getStatus())) {
                return null;
            }
            ContinualJob.Builder changed = alsoChange.apply(job).toBuilder().setStatus(status);
            if (terminal(status)) {
                changed.setFinishedAt(Timestamps.ofMillis(now));
            }
            if (error != null) {
                changed.setError(error);
            }
            ContinualEvent.Builder event = ContinualEvent.newBuilder().setStatus(status).setMessage(message)
                    .setLevel(status == ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED
                            ? EventLevel.EVENT_LEVEL_ERROR : EventLevel.EVENT_LEVEL_INFO);
            return new Changed(changed.build(), event);
        });
    }

    Optional<ContinualJob> message(String id, String message) {
        return change(id, job -> new Changed(job, ContinualEvent.newBuilder().setMessage(message)
                .setLevel(EventLevel.EVENT_LEVEL_INFO)));
    }

    ContinualRepository repository() {
        return jobs;
    }

    private Optional<ContinualJob> change(String id, ContinualRepository.Change change) {
        return jobs.change(id, now(), change).map(Changed::job);
    }

    private static ContinualEvent.Builder roundEvent(ContinualRound round, String message) {
        return ContinualEvent.newBuilder().setRound(round).setMessage(message).setLevel(EventLevel.EVENT_LEVEL_INFO);
    }
}
