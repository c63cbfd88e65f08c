package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.internal.v1.Control;
import dev.jdpo.proto.internal.v1.ControlAction;
import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.TrainFailure;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One training job over {@code TrainerService.Train}: sends the job and the pairs (whole before training, or
 * streamed as the trainer trains: {@link JobPairs}, within a window of the pairs the trainer says it took) as fast
 * as the transport takes them (flow control: it waits while the call is not ready), turns progress into run
 * events, and forwards a stop request as a CANCEL control. A trainer that goes away is retried with doubling backoff and the job resumes from
 * its last checkpoint; one that is busy with another job is asked again until it takes this one.
 */
final class TrainerClient {

    private static final long STOP_POLL_MILLIS = 100;
    private static final long BUSY_POLL_MILLIS = 1000;

    private final ManagedChannel channel;
    private final String target;
    private final ServiceRetries retries;

    /**
     * @param target  where the trainer runs, for messages ("in-process" or host:port)
     * @param retries how often and how patiently an unreachable trainer is tried again
     */
    TrainerClient(ManagedChannel channel, String target, ServiceRetries retries) {
        this.channel = channel;
        this.target = target;
        this.retries = retries;
    }

    /**
     * The job's outcome. A trainer that went away (unreachable, killed, or stopped by its own shutdown) is tried
     * again with backoff, the job resuming from the last checkpoint it reported; the budget of retries starts over
     * whenever an attempt reported a newer checkpoint, and once spent the run fails with {@code service_unavailable}.
     * A trainer busy with another job is waited for (as a queue would), until a stop request.
     *
     * @param startStep the step the job starts from, reported when a stop comes before training began
     */
    RunOutcome train(TrainJob job, List<TrainingPair> training, List<TrainingPair> validation, RunReporter reporter,
                     long startStep) throws RunFailure, InterruptedException {
        return train(job, new HeldJobPairs(training, validation), reporter, startStep);
    }

    /** As {@link #train(TrainJob, List, List, RunReporter, long)}, with the pairs sent as {@code pairs} sends them. */
    RunOutcome train(TrainJob job, JobPairs pairs, RunReporter reporter, long startStep)
            throws RunFailure, InterruptedException {
        int retry = 0;
        boolean toldBusy = false;
        TrainJob next = job;
        long resumeStep = startStep;
        while (true) {
            Call call = attempt(next, pairs, reporter);
            String problem = call.error == null ? "" : Status.fromThrowable(call.error).getDescription();
            if (call.busy()) {
                if (reporter.stopRequested()) {
                    return new RunOutcome.Stopped(resumeStep);
                }
                if (!toldBusy) {
                    reporter.info("Waiting for the trainer at " + target + ": " + problem);
                    toldBusy = true;
                }
                Thread.sleep(Math.min(retries.backoffMillis(), BUSY_POLL_MILLIS));
                continue;
            }
            if (!call.wentAway()) {
                return atLeast(call.outcome(), resumeStep);
            }
            if (call.checkpointDir != null && call.checkpointStep > resumeStep) {
                resumeStep = call.checkpointStep;
                next = resumingFrom(job, call.checkpointDir);
                retry = 0;
            }
            if (reporter.stopRequested()) {
                return new RunOutcome.Stopped(resumeStep);
            }
            retry++;
            String why = call.error == null ? "it stopped the job itself (its shutdown)"
                    : Status.fromThrowable(call.error).getCode() + (problem == null ? "" : " " + problem);
            if (retry > retries.attempts()) {
                throw new RunFailure("service_unavailable", "the trainer service at " + target + " is unavailable"
                        + " after " + retry + " attempt(s): " + why, "services.trainer_address");
            }
            String resuming = resumeStep > 0 ? "resuming from the checkpoint at step " + resumeStep
                    : "training from the first step";
            reporter.warn("the trainer service at " + target + (call.answered ? " went away" : " is unavailable")
                    + " (" + why + "); retry " + retry + " of " + retries.attempts() + " in "
                    + retries.backoffBefore(retry) + " ms, " + resuming + " when it is back");
            if (retries.stoppedDuringBackoff(retry, reporter::stopRequested)) {
                return new RunOutcome.Stopped(resumeStep);
            }
            channel.resetConnectBackoff();
        }
    }

    /** A job cancelled before it trained reports step 0: the run still stands at the step it resumed from. */
    private static RunOutcome atLeast(RunOutcome outcome, long resumeStep) {
        return outcome instanceof RunOutcome.Stopped stopped && stopped.step() < resumeStep
                ? new RunOutcome.Stopped(resumeStep) : outcome;
    }

    /** The job continuing from {@code checkpoint}, which the trainer wrote for this run in its output_dir. */
    private static TrainJob resumingFrom(TrainJob job, String checkpoint) {
        return job.toBuilder().setOutput(job.getOutput().toBuilder().setResumeFromCheckpoint(checkpoint)).build();
    }

    private Call attempt(TrainJob job, JobPairs pairs, RunReporter reporter) throws InterruptedException,
            RunFailure {
        Call call = new Call(reporter);
        TrainerServiceGrpc.newStub(channel).train(call);
        try {
            call.send(TrainInput.newBuilder().setJob(job).build());
            pairs.sendBeforeTraining(call);
            if (pairs.streamed()) {
                pairs.stream(job, call);
            }
            call.awaitEnd();
        } catch (InterruptedException stopping) {
            // the trainer treats a cancelled call as CANCEL: it checkpoints at its next step boundary
            call.requests.cancel("the orchestrator is stopping", stopping);
            throw stopping;
        } catch (RunFailure failed) {
            call.requests.cancel("the orchestrator could not go on sending pairs", failed);
            throw failed;
        }
        return call;
    }

    /** The response side of the call and the guarded request side. */
    private final class Call implements ClientResponseObserver<TrainInput, TrainProgress>, JobPairs.Outbox {

        private final RunReporter reporter;
        private final CountDownLatch ended = new CountDownLatch(1);
        private final CountDownLatch startedOrEnded = new CountDownLatch(1);
        private volatile Started started;
        private final Object readiness = new Object();
        private final Object takenCount = new Object();
        private long pairsTaken;
        private ClientCallStreamObserver<TrainInput> requests;
        private volatile long totalSteps;
        private volatile Map<String, Double> lastLogged = Map.of();
        private volatile Finished finished;
        private volatile Throwable error;
        private volatile boolean answered;
        private volatile String checkpointDir;
        private volatile long checkpointStep;
        private boolean cancelSent;
        /** The trainer refuses a control before the job: a stop asked for earlier goes out right after the job. */
        private boolean jobSent;

        Call(RunReporter reporter) {
            this.reporter = reporter;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<TrainInput> requestStream) {
            requests = requestStream;
            requests.setOnReadyHandler(() -> {
                synchronized (readiness) {
                    readiness.notifyAll();
                }
            });
        }

        @Override
        public boolean done() {
            return ended.getCount() == 0;
        }

        /** Sends once the transport can take it; a stop request turns into CANCEL on the way. */
        @Override
        public void send(TrainInput input) throws InterruptedException {
            synchronized (readiness) {
                while (!requests.isReady() && !done()) {
                    readiness.wait(STOP_POLL_MILLIS);
                    forwardStop();
                }
            }
            if (!done()) {
                requests.onNext(input);
                jobSent = true;
                forwardStop();
            }
        }

        @Override
        public void idle() {
            forwardStop();
        }

        @Override
        public Started awaitStarted() throws InterruptedException {
            while (!startedOrEnded.await(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                forwardStop();
            }
            return started;
        }

        @Override
        public boolean awaitTaken(long count, long millis) throws InterruptedException {
            synchronized (takenCount) {
                if (pairsTaken < count && millis > 0 && !done()) {
                    takenCount.wait(millis);
                }
                return pairsTaken >= count;
            }
        }

        void awaitEnd() throws InterruptedException {
            while (!ended.await(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                forwardStop();
            }
        }

        private void forwardStop() {
            if (!cancelSent && jobSent && !done() && reporter.stopRequested()) {
                cancelSent = true;
                requests.onNext(TrainInput.newBuilder()
                        .setControl(Control.newBuilder().setAction(ControlAction.CONTROL_ACTION_CANCEL)).build());
            }
        }

        /** The trainer refused the job because it is training another one. */
        boolean busy() {
            if (error == null || answered) {
                return false;
            }
            Metadata trailers = Status.trailersFromThrowable(error);
            return trailers != null && "busy".equals(trailers.get(TrainFailure.FAILURE_KEY));
        }

        /**
         * The trainer went away rather than refusing or failing the job: the call broke (unreachable, killed, cut
         * off by its shutdown) or the trainer stopped it on its own, with no CANCEL of ours. Its own failures
         * (invalid_config, training_diverged, ...) carry a failure code and are final.
         */
        boolean wentAway() {
            if (error == null) {
                return finished != null && finished.getStatus() == TrainStatus.TRAIN_STATUS_CANCELLED && !cancelSent;
            }
            Metadata trailers = Status.trailersFromThrowable(error);
            String failure = trailers == null ? null : trailers.get(TrainFailure.FAILURE_KEY);
            return ServiceRetries.wentAway(Status.fromThrowable(error))
                    && (failure == null || TrainFailure.STOPPED.equals(failure));
        }

        @Override
        public void onNext(TrainProgress progress) {
            answered = true;
            switch (progress.getKindCase()) {
                case STARTED -> {
                    totalSteps = progress.getStarted().getTotalSteps();
                    reporter.info("Training " + progress.getStarted().getTrainingPairs() + " pairs for "
                            + totalSteps + " steps on the trainer (" + target + ")");
                    started = progress.getStarted();
                    startedOrEnded.countDown();
                }
                case LOG -> {
                    lastLogged = progress.getLog().getMetricsMap();
                    reporter.metrics(progress.getLog().getStep(), totalSteps,
                            lastLogged.getOrDefault("epoch", 0.0), lastLogged);
                }
                case EVAL -> {
                    Map<String, Double> values = progress.getEval().getMetricsMap();
                    reporter.metrics(progress.getEval().getStep(), totalSteps, values.getOrDefault("epoch", 0.0),
                            values);
                }
                case CRITERIA_EVAL -> {
                    Map<String, Double> values = progress.getCriteriaEval().getMetricsMap();
                    reporter.metrics(progress.getCriteriaEval().getStep(), totalSteps,
                            values.getOrDefault("epoch", 0.0), values);
                    if (progress.getCriteriaEval().getSamplesCount() > 0) {
                        reporter.evalSamples(EvalSamples.newBuilder().setStep(progress.getCriteriaEval().getStep())
                                .addAllSamples(progress.getCriteriaEval().getSamplesList()).build());
                    }
                }
                case CHECKPOINT -> {
                    reporter.checkpoint(progress.getCheckpoint().getStep(),
                            Path.of(progress.getCheckpoint().getPath()), lastLogged);
                    checkpointDir = progress.getCheckpoint().getPath();
                    checkpointStep = progress.getCheckpoint().getStep();
                }
                case PAIRS_TAKEN -> {
                    synchronized (takenCount) {
                        pairsTaken = progress.getPairsTaken().getCount();
                        takenCount.notifyAll();
                    }
                }
                case FINISHED -> finished = progress.getFinished();
                default -> { }
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            end();
        }

        @Override
        public void onCompleted() {
            end();
        }

        private void end() {
            ended.countDown();
            startedOrEnded.countDown();
            synchronized (readiness) {
                readiness.notifyAll();
            }
            synchronized (takenCount) {
                takenCount.notifyAll();
            }
        }

        RunOutcome outcome() throws RunFailure {
            if (error != null) {
                throw failure(error);
            }
            // half-closing only now keeps the request side open for a CANCEL until the trainer's last word
            requests.onCompleted();
            if (finished == null) {
                throw new RunFailure("service_unavailable", "the trainer service at " + target
                        + " ended the training call without a result", "");
            }
            if (finished.getStatus() == TrainStatus.TRAIN_STATUS_SUCCEEDED) {
                return new RunOutcome.Completed(Path.of(finished.getFinalDir()));
            }
            return new RunOutcome.Stopped(finished.getFinalStep());
        }

        private RunFailure failure(Throwable t) {
            Status status = Status.fromThrowable(t);
            Metadata trailers = Status.trailersFromThrowable(t);
            String code = trailers == null ? null : trailers.get(TrainFailure.FAILURE_KEY);
            String field = trailers == null ? null : trailers.get(TrainFailure.FIELD_KEY);
            String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
            if (code == null) {
                return new RunFailure("service_unavailable", "the trainer service at " + target + " failed: "
                        + status.getCode() + " " + description, "", t);
            }
            return new RunFailure(code, description, runConfigField(field));
        }
    }

    /** The run config field behind a TrainJob field, so a user sees what to fix in their own config. */
    static String runConfigField(String jobField) {
        if (jobField == null || jobField.isEmpty()) {
            return "";
        }
        if (jobField.startsWith("hyperparameters.")) {
            return "training." + jobField.substring("hyperparameters.".length());
        }
        return switch (jobField) {
            case "policy_path" -> "model.policy";
            case "output_dir" -> "output.output_dir";
            case "device" -> "model.device";
            case "precision" -> "model.precision";
            case "pair", "validation_pair" -> "data.training_file";
            default -> "";
        };
    }
}
