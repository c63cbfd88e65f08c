package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.PairStream;
import dev.jdpo.proto.internal.v1.PairsTaken;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainPair;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.data.HeldPairs;
import dev.jdpo.trainer.data.PairSource;
import dev.jdpo.trainer.data.StreamedPairs;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PairChecks;
import dev.jdpo.trainer.run.TrainingRun;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound half of one Train call: job, then pairs (each checked against the losses and vocabulary as it
 * arrives, so a bad pair fails the call at once rather than after the upload), then end_of_pairs, which hands the
 * job to the training thread; or job, validation pairs and pair_stream, after which the training pairs arrive as
 * the training thread takes them. Inbound flow control is manual: the next message is requested after
 * {@link #onNext} returns, so a fast client cannot outrun the conversion, except that a streamed training pair is
 * replaced only once the training thread took one, so at most the prefetch window waits here; the training thread
 * also reports the pairs it took ({@code pairs_taken}), which bounds the client's sending. gRPC calls these
 * methods one at a time; the lock orders them against the client-gone callback.
 */
final class TrainCall implements StreamObserver<TrainInput> {

    private final JobPaths paths;
    private final SequenceLimit sequenceLimit;

    private static final Logger LOG = LoggerFactory.getLogger(TrainCall.class);

    private enum Phase { AWAIT_JOB, RECEIVING, TRAINING, CLOSED }

    private final ServerCallStreamObserver<TrainProgress> responses;
    private final ProgressStream out;
    private final Executor trainingThread;
    private final Set<JobControl> runningJobs;
    private final JobControl control = new JobControl();
    private final List<TrainingPair> training = new ArrayList<>();
    private final List<TrainingPair> validation = new ArrayList<>();
    private Phase phase = Phase.AWAIT_JOB;
    private JobSpec job;
    private TrainingSlot.Lease lease;
    private StreamedPairs streamed;
    private int streamedCount;
    // the training thread's own: the count it last reported
    private long takenReported;

    /** @param runningJobs where the job's control is registered while it trains, for server shutdown */
    TrainCall(ServerCallStreamObserver<TrainProgress> responses, Executor trainingThread, Set<JobControl> runningJobs,
              JobPaths paths, SequenceLimit sequenceLimit) {
        this.paths = paths;
        this.sequenceLimit = sequenceLimit;
        this.responses = responses;
        this.out = new ProgressStream(responses, this::clientGone);
        this.trainingThread = trainingThread;
        this.runningJobs = runningJobs;
        responses.disableAutoRequest();
        responses.request(1);
    }

    @Override
    public synchronized void onNext(TrainInput input) {
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            int wanted = 1;
            switch (input.getKindCase()) {
                case JOB -> acceptJob(input);
                case PAIR -> {
                    if (streamed != null) {
                        acceptStreamed(input.getPair());
                        wanted = 0;
                    } else {
                        training.add(acceptPair(input.getPair(), "pair", training.size()));
                    }
                }
                case VALIDATION_PAIR -> validation.add(acceptPair(input.getValidationPair(), "validation_pair",
                        validation.size()));
                case END_OF_PAIRS -> startTraining();
                case PAIR_STREAM -> wanted = startStreaming(input.getPairStream());
                case CONTROL -> control(input);
                default -> throw TrainFailure.invalidJob("", "empty TrainInput message (no kind set)");
            }
            if (phase != Phase.CLOSED && wanted > 0) {
                responses.request(wanted);
            }
        } catch (TrainFailure failure) {
            fail(failure);
        } catch (RuntimeException unexpected) {
            LOG.error("Train call failed on a {} message", input.getKindCase(), unexpected);
            fail(TrainFailure.internal("the trainer failed on a " + input.getKindCase() + " message: " + unexpected));
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        clientGone();
    }

    @Override
    public synchronized void onCompleted() {
        if (phase == Phase.AWAIT_JOB || phase == Phase.RECEIVING) {
            fail(TrainFailure.invalidJob("end_of_pairs", "the client closed its stream before end_of_pairs; "
                    + "nothing was trained"));
        }
    }

    private void acceptJob(TrainInput input) throws TrainFailure {
        if (phase != Phase.AWAIT_JOB) {
            throw TrainFailure.invalidJob("job", "job: sent twice; one Train call runs one job");
        }
        job = JobSpec.from(input.getJob());
        paths.check(job);
        lease = TrainingSlot.acquire(job.runId());
        phase = Phase.RECEIVING;
    }

    private TrainingPair acceptPair(TrainPair message, String kind, int position) throws TrainFailure {
        requireReceiving(kind);
        return checked(message, kind, position);
    }

    private TrainingPair checked(TrainPair message, String kind, int position) throws TrainFailure {
        TokenizedPair tokens = message.getScored().getPair();
        try {
            TrainingPair pair = ProtoPairs.toTrainingPair(message);
            sequenceLimit.check(pair.tokens(), job.config().sft());
            PairChecks.check(List.of(pair), job.config(), job.vocabSize(), position);
            return pair;
        } catch (InvalidConfigException e) {
            String where = kind + " message " + position + (tokens.getSourceLine() > 0
                    ? ", source line " + tokens.getSourceLine() : "") + ", index " + tokens.getIndex();
            throw TrainFailure.invalidPair(kind, e.getMessage() + " (" + where + ")");
        }
    }

    private void startTraining() throws TrainFailure {
        requireReceiving("end_of_pairs");
        if (training.isEmpty()) {
            throw TrainFailure.invalidJob("pair", "no training pairs were sent before end_of_pairs");
        }
        checkTotalSteps(training.size());
        launch(new HeldPairs(training, job.config().seed(), job.shuffleWindow()));
    }

    /** An epochs x steps product past int is refused before the model loads, naming the field. */
    private void checkTotalSteps(int trainingPairs) throws TrainFailure {
        try {
            TrainingRun.totalSteps(job.config(), trainingPairs);
        } catch (InvalidConfigException e) {
            throw TrainFailure.invalidConfig(e.field(), e.getMessage());
        }
    }

    /** Starts a job whose training pairs follow in visit order; returns how many messages to ask for now. */
    private int startStreaming(PairStream header) throws TrainFailure {
        requireReceiving("pair_stream");
        if (!training.isEmpty()) {
            throw TrainFailure.invalidJob("pair_stream", "pair_stream: sent after " + training.size()
                    + " training pair(s); a job's training pairs come either all before end_of_pairs or streamed");
        }
        if (header.getTrainingPairs() <= 0 || header.getTrainingPairs() > Integer.MAX_VALUE) {
            throw TrainFailure.invalidJob("pair_stream.training_pairs", "pair_stream.training_pairs: must be in [1, "
                    + Integer.MAX_VALUE + "], got " + header.getTrainingPairs());
        }
        if (header.getDatasetFingerprint().isBlank()) {
            throw TrainFailure.invalidJob("pair_stream.dataset_fingerprint", "pair_stream.dataset_fingerprint: "
                    + "required");
        }
        if (header.getPrefetchPairs() < 0) {
            throw TrainFailure.invalidJob("pair_stream.prefetch_pairs", "pair_stream.prefetch_pairs: must be >= 0, "
                    + "got " + header.getPrefetchPairs());
        }
        checkTotalSteps((int) header.getTrainingPairs());
        StreamedPairs pairs = new StreamedPairs((int) header.getTrainingPairs(), header.getDatasetFingerprint(),
                this::pairsTaken);
        launch(pairs);
        streamed = pairs;
        return header.getPrefetchPairs() > 0 ? header.getPrefetchPairs() : 2 * job.config().pairsPerStep();
    }

    /**
     * On the training thread: asks for as many pairs as were taken since the last count, and tells the client the
     * count, which is what bounds its sending: the transport would buffer pairs nobody asked for. The count goes
     * without waiting for the client to read: each step's progress waits, so no more than a step's pairs' counts
     * queue up, and taking a batch never waits on a thread hop in the client.
     */
    private void pairsTaken(long total) {
        responses.request((int) (total - takenReported));
        takenReported = total;
        out.sendNow(TrainProgress.newBuilder().setPairsTaken(PairsTaken.newBuilder().setCount(total)).build());
    }

    /** A streamed training pair: checked, then handed to the training thread, which asks for the next one. */
    private void acceptStreamed(TrainPair message) throws TrainFailure {
        streamed.deliver(checked(message, "pair", streamedCount++));
    }

    private void launch(PairSource pairs) throws TrainFailure {
        if (control.cancelRequested()) {
            finishUntrained();
            return;
        }
        runningJobs.add(control);
        try {
            trainingThread.execute(new JobRunner(job, pairs, validation, out, control, lease, runningJobs));
        } catch (RejectedExecutionException shuttingDown) {
            runningJobs.remove(control);
            throw TrainFailure.stopped("the trainer is shutting down");
        }
        phase = Phase.TRAINING;
        training.clear();
        validation.clear();
    }

    private void control(TrainInput input) throws TrainFailure {
        if (phase == Phase.AWAIT_JOB) {
            throw TrainFailure.invalidJob("control", "control: sent before job");
        }
        switch (input.getControl().getAction()) {
            case CONTROL_ACTION_CANCEL -> {
                control.cancel();
                if (phase == Phase.RECEIVING) {
                    finishUntrained();
                } else if (streamed != null) {
                    // a training thread waiting for a streamed pair that will not come sees the cancel now
                    streamed.close();
                }
            }
            case CONTROL_ACTION_CHECKPOINT -> control.requestCheckpoint();
            default -> throw TrainFailure.invalidJob("control.action", "control.action: expected CANCEL or "
                    + "CHECKPOINT, got " + input.getControl().getAction());
        }
    }

    /** A job cancelled before training began: finished CANCELLED, at the checkpoint it would have resumed from. */
    private void finishUntrained() {
        Finished.Builder finished = Finished.newBuilder().setStatus(TrainStatus.TRAIN_STATUS_CANCELLED);
        if (job.resumeFrom() != null) {
            finished.setLastCheckpoint(job.resumeFrom().toString());
        }
        close();
        // one small message, sent without waiting for readiness: readiness is signalled on this very thread
        out.sendNow(TrainProgress.newBuilder().setFinished(finished).build());
        out.complete();
    }

    private void requireReceiving(String kind) throws TrainFailure {
        if (phase == Phase.AWAIT_JOB) {
            throw TrainFailure.invalidJob(kind, kind + ": arrived before job; the first message must be job");
        }
        if (phase != Phase.RECEIVING) {
            throw TrainFailure.invalidJob(kind, kind + ": arrived after end_of_pairs");
        }
    }

    /** The client cancelled or disconnected: a running job stops at its next step boundary with a checkpoint. */
    private synchronized void clientGone() {
        control.cancel();
        close();
    }

    private void fail(TrainFailure failure) {
        control.cancel();
        close();
        out.fail(failure);
    }

    /**
     * Stops reading; frees the slot and the received pairs unless the training thread owns them (it releases
     * the slot once the model is freed).
     */
    private void close() {
        if (streamed != null) {
            streamed.close();
        }
        if (phase != Phase.TRAINING) {
            training.clear();
            validation.clear();
            if (lease != null) {
                lease.release();
            }
        }
        phase = Phase.CLOSED;
    }
}
