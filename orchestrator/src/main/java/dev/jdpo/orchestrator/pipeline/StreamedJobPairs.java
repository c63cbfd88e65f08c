package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.internal.v1.PairStream;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.ProtoPairs;
import java.util.List;
import java.util.OptionalLong;

/**
 * Training pairs streamed from the run's store as the trainer trains (reference.mode streaming): the validation
 * pairs and the stream's header first, then, from the position the trainer starts at, the pairs in its visit order,
 * scored a window ahead ({@link ScoringWindow}).
 *
 * @param order      the epochs' visit order of the store's training pairs
 * @param scorer     the run's reference, or null for a reference-free run
 * @param validation the validation pairs, scored
 * @param window     scored pairs ahead of those the trainer took, at most
 */
record StreamedJobPairs(PairStore store, DataOrder order, ReferenceScoring.Scorer scorer, boolean perToken,
                        List<TrainingPair> validation, int window) implements JobPairs {

    @Override
    public void sendBeforeTraining(Outbox call) throws InterruptedException {
        for (int i = 0; i < validation.size() && !call.done(); i++) {
            call.send(TrainInput.newBuilder().setValidationPair(ProtoPairs.toProto(validation.get(i),
                    store.trainingSize() + i)).build());
        }
        call.send(TrainInput.newBuilder().setPairStream(PairStream.newBuilder()
                .setTrainingPairs(store.trainingSize()).setDatasetFingerprint(store.fingerprint())).build());
    }

    @Override
    public boolean streamed() {
        return true;
    }

    @Override
    public void stream(TrainJob job, Outbox call) throws InterruptedException, RunFailure {
        // a new job starts at the first pair of the first epoch, so scoring starts while the trainer loads the
        // policy; a resumed one starts where the trainer's checkpoint says, known once it started
        ScoringWindow pairs = job.getOutput().getResumeFromCheckpoint().isEmpty()
                ? window(0, 0, OptionalLong.empty(), call) : null;
        try {
            Started started = call.awaitStarted();
            if (started == null) {
                return;
            }
            if (pairs == null || started.getStartEpoch() != 0 || started.getStartPosition() != 0) {
                if (pairs != null) {
                    pairs.close();
                }
                pairs = window(started.getStartEpoch(), started.getStartPosition(),
                        OptionalLong.of(started.getPairsLeft()), call);
            } else {
                pairs.limit(started.getPairsLeft());
            }
            long sent = 0;
            while (!call.done()) {
                TrainingPair pair = pairs.poll();
                if (pair != null) {
                    call.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pair, sent++)).build());
                } else {
                    call.idle();
                }
            }
        } finally {
            if (pairs != null) {
                pairs.close();
            }
        }
    }

    private ScoringWindow window(int epoch, long position, OptionalLong limit, Outbox call) {
        return new ScoringWindow(store, order, epoch, position, scorer, perToken, window, limit, call::awaitTaken);
    }
}
