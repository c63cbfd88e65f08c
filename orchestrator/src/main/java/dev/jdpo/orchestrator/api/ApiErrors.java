package dev.jdpo.orchestrator.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.jdpo.host.EchoLimit;
import dev.jdpo.orchestrator.config.ConfigViolation;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.continual.JobNotFoundException;
import dev.jdpo.orchestrator.feedback.CompletionNotFoundException;
import dev.jdpo.orchestrator.run.RunFinishedException;
import dev.jdpo.orchestrator.run.RunNotFoundException;
import dev.jdpo.orchestrator.state.StateUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps orchestrator exceptions to gRPC statuses whose messages name the cause, never a stack trace. Every message is
 * cut to {@link EchoLimit}: it travels in the HTTP/2 trailers, where an echoed 64 KiB field breaks the transport.
 */
final class ApiErrors {

    // ids are a prefix and 20 characters; a bound well above that keeps a huge one out of lookups and messages
    private static final int MAX_ID_CHARS = 128;

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    static StatusRuntimeException toStatus(Exception error) {
        if (error instanceof InvalidConfigException invalid) {
            return invalidArgument(invalid);
        }
        if (error instanceof PathNotAllowedException denied) {
            return Status.PERMISSION_DENIED.withDescription(EchoLimit.message(denied.getMessage())).asRuntimeException();
        }
        if (error instanceof RunNotFoundException || error instanceof CompletionNotFoundException
                || error instanceof JobNotFoundException) {
            return Status.NOT_FOUND.withDescription(EchoLimit.message(error.getMessage())).asRuntimeException();
        }
        if (error instanceof RunFinishedException finished) {
            return Status.FAILED_PRECONDITION.withDescription(EchoLimit.message(finished.getMessage())).asRuntimeException();
        }
        if (error instanceof StatusRuntimeException status) {
            return status;
        }
        if (error instanceof StateUnavailableException state) {
            LOG.error("run-state database failure", state);
            return Status.UNAVAILABLE.withDescription(EchoLimit.message(state.getMessage())).asRuntimeException();
        }
        LOG.error("request failed", error);
        return Status.INTERNAL.withDescription(EchoLimit.message("internal error: "
                + error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage())))
                .asRuntimeException();
    }

    /** The id in request field {@code field}: given, and of a sane length. */
    static String requireId(String field, String id) {
        if (id.isBlank()) {
            throw invalidArgument(field, "required");
        }
        if (id.length() > MAX_ID_CHARS) {
            throw invalidArgument(field, "longer than " + MAX_ID_CHARS + " characters (" + id.length() + ")");
        }
        return id;
    }

    static StatusRuntimeException invalidArgument(String field, String description) {
        return invalidArgument(new InvalidConfigException(field, description));
    }

    /** INVALID_ARGUMENT with the violations in the message and as a google.rpc.BadRequest detail. */
    private static StatusRuntimeException invalidArgument(InvalidConfigException invalid) {
        BadRequest.Builder details = BadRequest.newBuilder();
        int chars = 0;
        for (ConfigViolation violation : invalid.violations()) {
            // the details travel in the trailers too: as many violations as fit one message's budget
            if (chars > EchoLimit.MAX_MESSAGE_CHARS) {
                break;
            }
            BadRequest.FieldViolation detail = BadRequest.FieldViolation.newBuilder()
                    .setField(EchoLimit.value(violation.field()))
                    .setDescription(EchoLimit.description(violation.description())).build();
            chars += detail.getField().length() + detail.getDescription().length();
            details.addFieldViolations(detail);
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT_VALUE)
                .setMessage(EchoLimit.message(invalid.getMessage()))
                .addDetails(Any.pack(details.build()))
                .build());
    }
}
