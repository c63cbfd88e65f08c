package dev.jdpo.trainer.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;

/**
 * A Train call that cannot go on: the gRPC status code, a stable failure code and the offending TrainJob field for
 * the {@code jdpo-failure} / {@code jdpo-field} trailers, and a message for a person.
 */
public final class TrainFailure extends Exception {

    /** Trailer with the stable failure code (invalid_job, invalid_config, ...). */
    public static final Metadata.Key<String> FAILURE_KEY = Metadata.Key.of("jdpo-failure",
            Metadata.ASCII_STRING_MARSHALLER);
    /** Trailer naming the offending field, e.g. {@code training.beta}; absent when none is at fault. */
    public static final Metadata.Key<String> FIELD_KEY = Metadata.Key.of("jdpo-field", Metadata.ASCII_STRING_MARSHALLER);

    /** The failure code of a job ended by the trainer's shutdown: the caller may resume it elsewhere or later. */
    public static final String STOPPED = "trainer_stopped";

    private final Status.Code code;
    private final String failure;
    private final String field;

    TrainFailure(Status.Code code, String failure, String field, String message) {
        super(message);
        this.code = code;
        this.failure = failure;
        this.field = field;
    }

    static TrainFailure invalidJob(String field, String message) {
        return new TrainFailure(Status.Code.INVALID_ARGUMENT, "invalid_job", field, message);
    }

    static TrainFailure invalidConfig(String field, String message) {
        return new TrainFailure(Status.Code.INVALID_ARGUMENT, "invalid_config", field, message);
    }

    static TrainFailure invalidPair(String field, String message) {
        return new TrainFailure(Status.Code.INVALID_ARGUMENT, "invalid_pair", field, message);
    }

    static TrainFailure invalidModel(String field, String message) {
        return new TrainFailure(Status.Code.INVALID_ARGUMENT, "invalid_model", field, message);
    }

    static TrainFailure pathNotAllowed(String field, String message) {
        return new TrainFailure(Status.Code.PERMISSION_DENIED, "path_not_allowed", field, message);
    }

    static TrainFailure checkpoint(String message) {
        return new TrainFailure(Status.Code.FAILED_PRECONDITION, "checkpoint_error", "output.resume_from_checkpoint",
                message);
    }

    static TrainFailure diverged(String message) {
        return new TrainFailure(Status.Code.FAILED_PRECONDITION, "training_diverged", "", message);
    }

    static TrainFailure busy(String message) {
        return new TrainFailure(Status.Code.RESOURCE_EXHAUSTED, "busy", "", message);
    }

    static TrainFailure io(String message) {
        return new TrainFailure(Status.Code.INTERNAL, "io_error", "output.output_dir", message);
    }

    static TrainFailure stopped(String message) {
        return new TrainFailure(Status.Code.UNAVAILABLE, STOPPED, "", message);
    }

    static TrainFailure internal(String message) {
        return new TrainFailure(Status.Code.INTERNAL, "internal", "", message);
    }

    /** The gRPC status code. */
    public Status.Code code() {
        return code;
    }

    /** The stable failure code sent as {@code jdpo-failure}. */
    public String failure() {
        return failure;
    }

    /** The offending TrainJob field, or empty. */
    public String field() {
        return field;
    }

    /** The status and trailers that end the call. */
    public StatusException toStatusException() {
        Metadata trailers = new Metadata();
        trailers.put(FAILURE_KEY, failure);
        if (!field.isEmpty()) {
            trailers.put(FIELD_KEY, field);
        }
        return Status.fromCode(code).withDescription(getMessage()).asException(trailers);
    }
}
