package dev.jdpo.orchestrator.continual;

import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualRound;
import dev.jdpo.proto.v1.ContinualTrigger;
import dev.jdpo.proto.v1.RoundStatus;

/** When a job's next round starts: every K new feedback pairs, or every T minutes with at least one new pair. */
final class RoundTrigger {

    private final FeedbackPairs feedback;

    RoundTrigger(FeedbackPairs feedback) {
        this.feedback = feedback;
    }

    /** Where the next round's feedback window starts: where the last committed round's ended, else the job's creation. */
    static long windowStart(ContinualJob job) {
        for (int i = job.getRoundsCount() - 1; i >= 0; i--) {
            ContinualRound round = job.getRounds(i);
            if (committed(round.getStatus())) {
                return Timestamps.toMillis(round.getPairsRecordedBefore());
            }
        }
        return Timestamps.toMillis(job.getCreatedAt());
    }

    static boolean committed(RoundStatus status) {
        return status == RoundStatus.ROUND_STATUS_PROMOTED || status == RoundStatus.ROUND_STATUS_REJECTED;
    }

    boolean due(ContinualJob job, long nowMs) {
        ContinualTrigger trigger = job.getConfig().getTrigger();
        long from = windowStart(job);
        boolean feedbackPairs = ContinualJobValidator.feedback(job.getConfig());
        if (trigger.getKindCase() == ContinualTrigger.KindCase.EVERY_PAIRS) {
            return feedback.count(job.getConfig().getTask(), from, nowMs) >= trigger.getEveryPairs();
        }
        long lastStart = job.getRoundsCount() == 0 ? Timestamps.toMillis(job.getCreatedAt())
                : Timestamps.toMillis(job.getRounds(job.getRoundsCount() - 1).getStartedAt());
        if (nowMs - lastStart < trigger.getEveryMinutes() * 60_000L) {
            return false;
        }
        return !feedbackPairs || feedback.count(job.getConfig().getTask(), from, nowMs) >= 1;
    }
}
