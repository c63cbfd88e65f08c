package dev.jdpo.orchestrator.cli;

import com.google.protobuf.Timestamp;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** A command that talks to a running orchestrator: its address options, and one channel open while it runs. */
abstract class OrchestratorCommand implements Callable<Integer> {

    private static final DateTimeFormatter MINUTES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Mixin
    ServerAddress server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        ManagedChannel channel = server.open();
        try {
            return call(channel);
        } finally {
            ServerAddress.close(channel);
        }
    }

    /** The command's work over {@code channel}; returns the exit status. */
    abstract int call(ManagedChannel channel) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code line} as the command's answer; returns exit status 0. */
    int answer(String line) {
        out().println(line);
        out().flush();
        return 0;
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** A time as the tables show it, to the minute in the local zone. */
    static String minutes(Timestamp time) {
        return MINUTES.format(Instant.ofEpochSecond(time.getSeconds()));
    }

    static RunServiceGrpc.RunServiceBlockingStub runs(ManagedChannel channel) {
        return unary(RunServiceGrpc.newBlockingStub(channel));
    }

    static ContinualServiceGrpc.ContinualServiceBlockingStub jobs(ManagedChannel channel) {
        return unary(ContinualServiceGrpc.newBlockingStub(channel));
    }

    static FeedbackServiceGrpc.FeedbackServiceBlockingStub feedback(ManagedChannel channel) {
        return unary(FeedbackServiceGrpc.newBlockingStub(channel));
    }

    /** Unary calls get a deadline; the streams (watch, export) last as long as their run or job. */
    private static <S extends AbstractStub<S>> S unary(S stub) {
        return stub.withDeadlineAfter(2, TimeUnit.MINUTES);
    }
}
