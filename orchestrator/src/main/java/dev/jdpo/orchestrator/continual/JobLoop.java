package dev.jdpo.orchestrator.continual;

import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.run.RunNotFoundException;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualRound;
import dev.jdpo.proto.v1.RoundStatus;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunError;
import dev.jdpo.proto.v1.RunStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one job: waits for its trigger, then takes each round through its steps (collect the pairs, train an
 * ordinary run, evaluate, commit). Every step starts from the job as stored, so a loop started by a new
 * orchestrator continues a round where the last one stopped: the window is fixed at the round's start, the run is
 * the one recorded, and the cursor moves only when a round commits.
 */
final class JobLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(JobLoop.class);

    private final String id;
    private final JobEvents events;
    private final RoundTrigger trigger;
    private final FeedbackPairs feedback;
    private final RunManager runs;
    private final Duration poll;

    JobLoop(String id, JobEvents events, RoundTrigger trigger, FeedbackPairs feedback, RunManager runs,
            Duration poll) {
        this.id = id;
        this.events = events;
        this.trigger = trigger;
        this.feedback = feedback;
        this.runs = runs;
        this.poll = poll;
    }

    @Override
    public void run() {
        try {
            boolean going = true;
            while (going) {
                going = step();
            }
        } catch (InterruptedException shuttingDown) {
            // the job stays as stored; the next orchestrator continues it
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error unexpected) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            LOG.error("continual job {} failed", id, unexpected);
            events.status(id, ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED, "The job failed: "
                    + describe(unexpected), RunError.newBuilder().setCode("internal").setMessage(describe(unexpected))
                    .build());
        }
    }

    /** One step of the job; false once it reached a terminal status. */
    private boolean step() throws InterruptedException {
        ContinualJob job = events.repository().find(id).orElseThrow();
        if (JobEvents.terminal(job.getStatus())) {
            return false;
        }
        if (job.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND) {
            continueRound(job, job.getRounds(job.getRoundsCount() - 1));
            return true;
        }
        if (job.getCancelRequested()) {
            events.status(id, ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED, "Cancelled", null);
            return false;
        }
        int maxRounds = job.getConfig().getMaxRounds();
        if (maxRounds > 0 && committedRounds(job) >= maxRounds) {
            events.status(id, ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED, maxRounds + " rounds committed; "
                    + "the promoted model is " + job.getPromotedModelDir(), null);
            return false;
        }
        if (trigger.due(job, events.now())) {
            events.startRound(id, RoundTrigger.windowStart(job));
            return true;
        }
        Thread.sleep(poll.toMillis());
        return true;
    }

    private void continueRound(ContinualJob job, ContinualRound round) throws InterruptedException {
        // while training, awaitRun cancels the run and ends the round once the run has stopped
        if (job.getCancelRequested() && round.getStatus() != RoundStatus.ROUND_STATUS_TRAINING) {
            events.endInRound(id, "the job was cancelled", ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED,
                    "Cancelled during round " + round.getNumber() + "; its pairs stay unconsumed", null);
            return;
        }
        try {
            switch (round.getStatus()) {
                case ROUND_STATUS_COLLECTING_PAIRS -> startTraining(job, round);
                case ROUND_STATUS_TRAINING -> awaitRun(job, round);
                case ROUND_STATUS_EVALUATING -> evaluate(job, round);
                default -> throw new IllegalStateException("round " + round.getNumber() + " is "
                        + round.getStatus() + " while the job is in a round");
            }
        } catch (RunFailure failure) {
            events.endInRound(id, failure.getMessage(), ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED,
                    "Round " + round.getNumber() + " failed: " + failure.getMessage(), RunError.newBuilder()
                            .setCode(failure.code()).setMessage(failure.getMessage()).setParam(failure.param())
                            .build());
        }
    }

    /** Writes the round's feedback pairs (again, the same ones, after a restart) and creates its run. */
    private void startTraining(ContinualJob job, ContinualRound round) throws RunFailure {
        ContinualJobConfig config = job.getConfig();
        long feedbackPairs = 0;
        if (ContinualJobValidator.feedback(config)) {
            Path file = RoundConfig.feedbackPairsFile(config, round.getNumber());
            try {
                feedbackPairs = feedback.write(config.getTask(), Timestamps.toMillis(round.getPairsRecordedFrom()),
                        Timestamps.toMillis(round.getPairsRecordedBefore()), file);
            } catch (IOException e) {
                throw new RunFailure("output_error", "run_template.output.output_dir: cannot write " + file + ": "
                        + e.getMessage(), "run_template.output.output_dir");
            }
            if (feedbackPairs == 0) {
                throw new RunFailure("no_pairs", "no feedback pairs of task " + config.getTask()
                        + " in the round's window", "task");
            }
        }
        Run run;
        try {
            run = runs.create(RoundConfig.of(job, round.getNumber(), round.getPolicyModelDir()));
        } catch (InvalidConfigException | PathNotAllowedException refused) {
            throw new RunFailure("invalid_round", "the round's run was refused: " + refused.getMessage(), "");
        }
        long pairs = feedbackPairs;
        events.round(id, r -> r.toBuilder().setStatus(RoundStatus.ROUND_STATUS_TRAINING).setRunId(run.getId())
                .setFeedbackPairs(pairs).build(), j -> j, "Round " + round.getNumber() + ": run " + run.getId()
                + (ContinualJobValidator.feedback(config) ? " trains on " + pairs + " feedback pairs"
                : " trains on pairs sampled from " + round.getPolicyModelDir()));
    }

    private void awaitRun(ContinualJob job, ContinualRound round) throws InterruptedException, RunFailure {
        Run run = run(round.getRunId());
        while (!RunStatuses.isTerminal(run.getStatus())) {
            if (events.repository().find(id).orElseThrow().getCancelRequested()) {
                cancelRun(run.getId());
            }
            Thread.sleep(poll.toMillis());
            run = run(round.getRunId());
        }
        if (run.getStatus() == RunStatus.RUN_STATUS_CANCELLED) {
            boolean cancelled = events.repository().find(id).orElseThrow().getCancelRequested();
            events.endInRound(id, "its run " + run.getId() + " was cancelled", cancelled
                    ? ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED : ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED,
                    cancelled ? "Cancelled during round " + round.getNumber() + "; its pairs stay unconsumed"
                            : "Round " + round.getNumber() + "'s run " + run.getId() + " was cancelled",
                    cancelled ? null : RunError.newBuilder().setCode("run_cancelled")
                            .setMessage("run " + run.getId() + " was cancelled").build());
            return;
        }
        if (run.getStatus() != RunStatus.RUN_STATUS_SUCCEEDED) {
            throw new RunFailure("run_failed", "run " + run.getId() + " failed: " + run.getError().getMessage(), "");
        }
        Run done = run;
        long sampled = ContinualJobValidator.feedback(job.getConfig()) ? 0
                : done.getHyperparameters().getTrainingPairs() + done.getHyperparameters().getValidationPairs();
        events.round(id, r -> r.toBuilder().setStatus(RoundStatus.ROUND_STATUS_EVALUATING)
                .setResultModelDir(done.getResultModelDir()).setSampledPairs(sampled).build(), j -> j,
                "Round " + round.getNumber() + ": run " + done.getId() + " succeeded; evaluating on the held-out "
                        + "prompts");
    }

    /** Evaluates the promoted model and the round's, then commits the round: promoted or rejected. */
    private void evaluate(ContinualJob job, ContinualRound round) throws RunFailure {
        var gate = job.getConfig().getGate();
        var device = job.getConfig().getRunTemplate().getModel();
        Map<String, Double> before = HeldOutEvaluation.passRates(gate, Path.of(round.getPolicyModelDir()), device);
        Map<String, Double> after = HeldOutEvaluation.passRates(gate, Path.of(round.getResultModelDir()), device);
        Gate.Verdict verdict = Gate.decide(before, after, gate.getMaxPassRateDrop());
        boolean promoted = verdict.rejection().isEmpty();
        long now = events.now();
        events.round(id, r -> r.toBuilder()
                        .setStatus(promoted ? RoundStatus.ROUND_STATUS_PROMOTED : RoundStatus.ROUND_STATUS_REJECTED)
                        .clearEvaluation().addAllEvaluation(verdict.rates()).setReason(verdict.rejection().orElse(""))
                        .setFinishedAt(Timestamps.ofMillis(now)).build(),
                j -> j.toBuilder().setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING)
                        .setPromotedModelDir(promoted ? round.getResultModelDir() : j.getPromotedModelDir()).build(),
                "Round " + round.getNumber() + (promoted ? " promoted: " + round.getResultModelDir()
                        : " not promoted: " + verdict.rejection().get()) + " (" + describe(verdict) + ")");
    }

    private Run run(String runId) throws RunFailure {
        try {
            return runs.get(runId);
        } catch (RunNotFoundException gone) {
            throw new RunFailure("run_failed", "the round's run " + runId + " is not in the run state", "");
        }
    }

    private void cancelRun(String runId) {
        try {
            runs.cancel(runId);
        } catch (Exception alreadyOver) {
            LOG.debug("run {} of job {} is over: {}", runId, id, alreadyOver.getMessage());
        }
    }

    private static long committedRounds(ContinualJob job) {
        return job.getRoundsList().stream().filter(r -> RoundTrigger.committed(r.getStatus())).count();
    }

    private static String describe(Gate.Verdict verdict) {
        StringBuilder text = new StringBuilder();
        verdict.rates().forEach(rate -> text.append(text.isEmpty() ? "" : ", ").append(rate.getCriterion())
                .append(String.format(java.util.Locale.ROOT, " %.3f -> %.3f", rate.getBefore(), rate.getAfter())));
        return text.toString();
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}
