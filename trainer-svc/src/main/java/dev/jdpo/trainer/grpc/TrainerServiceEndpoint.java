package dev.jdpo.trainer.grpc;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * gRPC {@code jdpo.internal.v1.TrainerService}: trains one job at a time on its own thread, never on a gRPC
 * executor thread. Plain grpc-java: add it to any server builder (Netty, in-process, or Micronaut's). Close it
 * after the server stops: a running job is cancelled at its next step boundary (with a checkpoint) and awaited.
 */
public final class TrainerServiceEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase implements AutoCloseable {

    // a daemon, so an embedding JVM that forgets close() can still exit; checkpoints are renamed into place
    // whole, so an exit mid-write leaves no half checkpoint
    private final ExecutorService trainingThread = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "trainer-job");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<JobControl> runningJobs = ConcurrentHashMap.newKeySet();
    private final long closeWaitSeconds;
    private final JobPaths paths;
    private final SequenceLimit sequenceLimit;

    /**
     * An in-process trainer: its only caller, the orchestrator, checks paths against its own allowed roots and
     * bounds sequences with the run's max_length.
     *
     * @param closeWaitSeconds how long {@link #close} waits for a cancelled job to write its checkpoint
     */
    public TrainerServiceEndpoint(long closeWaitSeconds) {
        this(closeWaitSeconds, new JobPaths(PathRoots.anywhere(), PathRoots.anywhere()), SequenceLimit.NONE);
    }

    /**
     * @param closeWaitSeconds how long {@link #close} waits for a cancelled job to write its checkpoint
     * @param paths            where jobs may read models and write checkpoints, whoever sends them
     * @param sequenceLimit    the longest sequence a pair may have, whoever sends it
     */
    public TrainerServiceEndpoint(long closeWaitSeconds, JobPaths paths, SequenceLimit sequenceLimit) {
        this.closeWaitSeconds = closeWaitSeconds;
        this.paths = paths;
        this.sequenceLimit = sequenceLimit;
    }

    /** Waits up to 10 minutes on close. */
    public TrainerServiceEndpoint() {
        this(600);
    }

    @Override
    public StreamObserver<TrainInput> train(StreamObserver<TrainProgress> responses) {
        return new TrainCall((ServerCallStreamObserver<TrainProgress>) responses, trainingThread, runningJobs,
                paths, sequenceLimit);
    }

    /** Cancels running jobs (each saves a checkpoint at its next step boundary) and waits for them to end. */
    @Override
    public void close() {
        runningJobs.forEach(JobControl::cancel);
        trainingThread.shutdown();
        try {
            trainingThread.awaitTermination(closeWaitSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
