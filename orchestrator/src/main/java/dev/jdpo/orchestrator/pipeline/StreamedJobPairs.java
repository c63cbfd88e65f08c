package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.internal.v1.PairStream;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.ProtoPairs;
import java.util.List;

/**
 * Training pairs streamed from the run's store as the trainer trains (reference.mode streaming): the validation
 * pairs and the stream's header first, then, from the position the trainer starts at, the pairs in its visit order,
 * scored a window ahead ({@link ScoringWindow}).
 *
 * @param scorer     the run's reference, or null for a reference-free run
 * @param validation the validation pairs, scored
 * @param window     scored pairs held ahead of the trainer
 */
record StreamedJobPairs(PairStore store, long seed, ReferenceScoring.Scorer scorer, boolean perToken,
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
    public void stream(Started started, Outbox call) throws InterruptedException, RunFailure {
        try (ScoringWindow pairs = new ScoringWindow(store, seed, started.getStartEpoch(), started.getStartPosition(),
                scorer, perToken, window)) {
            long sent = 0;
            while (!call.done()) {
                TrainingPair pair = pairs.poll();
                if (pair != null) {
                    call.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pair, sent++)).build());
                }
            }
        }
    }
}
